#!/usr/bin/python3
"""Trains CameraNet's plate reader (a small convolutional CTC network) on synthetic crops written by
`./cameranet plates train` and exports it to ONNX (opset 13) for ONNX Runtime in C#.

A development step: CI and the tests never run it. Deterministic given the crops and the seed on one
thread (torch.set_num_threads(1) would be exact but slow; with two threads results agree to within
a few tenths of a percentage point of validation accuracy).
"""
import os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from training import arguments, batches_of, block, export, fit, split

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECIAL = "学警挂港澳使领试超"
ALPHABET = PROVINCES + LETTERS + DIGITS + SPECIAL  # index + 1; 0 is the CTC blank
H, W = 32, 128


class Reader(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            block(1, 16), nn.MaxPool2d(2, 2),            # 16 x 64
            block(16, 48), nn.MaxPool2d(2, 2),           # 8 x 32
            block(48, 96), block(96, 96), nn.MaxPool2d((2, 1), (2, 1)),   # 4 x 32
            block(96, 128), nn.MaxPool2d((2, 1), (2, 1)),                 # 2 x 32
            nn.Conv2d(128, 160, (2, 1), bias=False), nn.BatchNorm2d(160), nn.ReLU(inplace=True),  # 1 x 32
        )
        self.context = nn.Sequential(nn.Conv1d(160, 160, 3, padding=1), nn.ReLU(inplace=True))
        self.classify = nn.Conv1d(160, classes, 1)

    def forward(self, x):                 # x: [N, 1, 32, 128] in 0..1
        f = self.features(x).squeeze(2)   # [N, C, 32]
        f = f + self.context(f)
        return F.log_softmax(self.classify(f), dim=1).permute(0, 2, 1)  # [N, T=32, classes]


def main():
    a = arguments(default_epochs=12)
    crops = np.fromfile(os.path.join(a.data, "crops.u8"), dtype=np.uint8).reshape(-1, 1, H, W)
    with open(os.path.join(a.data, "labels.txt"), encoding="utf-8") as f:
        labels = f.read().split("\n")[: len(crops)]
    index = {c: i + 1 for i, c in enumerate(ALPHABET)}
    targets = [[index[c] for c in s] for s in labels]
    val_idx, train_idx = split(len(crops))
    x_all = torch.from_numpy(crops)
    model = Reader(len(ALPHABET) + 1)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)

    def loss_of(m, x, idx):
        ys = [targets[i] for i in idx]
        flat = torch.tensor([c for y in ys for c in y], dtype=torch.long)
        lengths = torch.tensor([len(y) for y in ys], dtype=torch.long)
        out = m(x)  # [N, T, C]
        return ctc(out.permute(1, 0, 2), flat, torch.full((len(idx),), out.shape[1], dtype=torch.long), lengths)

    def validate(m):
        right = 0
        for part, out in batches_of(m, x_all, val_idx):
            right += sum(decode(r) == labels[i] for r, i in zip(out.argmax(dim=2).numpy(), part))
        return right / len(val_idx)

    acc = fit(model, x_all, train_idx, a, loss_of, validate, "validation exact")
    export(model, a, "model.pt", H, W, "validation exact", acc)


def decode(row):
    text, prev = [], 0
    for k in row:
        if k != 0 and k != prev:
            text.append(ALPHABET[k - 1])
        prev = k
    return "".join(text)


if __name__ == "__main__":
    sys.exit(main())
