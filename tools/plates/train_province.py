#!/usr/bin/python3
"""Trains CameraNet's province classifier (a small convolutional network over the left end of a plate,
cut at twice the line reader's resolution) on synthetic crops written by `./cameranet plates train`,
and exports it to ONNX (opset 13) for ONNX Runtime in C#.

A development step: CI and the tests never run it. Deterministic given the crops and the seed on one
thread; with two threads results agree to within a few tenths of a percentage point.
"""
import os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from training import arguments, batches_of, block, export, fit, split

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
H, W = 64, 56


class Province(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            block(1, 24), nn.MaxPool2d(2, 2),                 # 32 x 28
            block(24, 48), nn.MaxPool2d(2, 2),                # 16 x 14
            block(48, 96), block(96, 96), nn.MaxPool2d(2, 2),  # 8 x 7
            block(96, 128), nn.MaxPool2d(2, 2),               # 4 x 3
        )
        self.classify = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(128 * 4 * 3, 256), nn.ReLU(inplace=True), nn.Linear(256, classes))

    def forward(self, x):                  # x: [N, 1, 64, 56] in 0..1
        return F.log_softmax(self.classify(self.features(x)), dim=1)  # [N, 31]


def main():
    a = arguments(default_epochs=6)
    crops = np.fromfile(os.path.join(a.data, "provinces.u8"), dtype=np.uint8).reshape(-1, 1, H, W)
    labels = np.fromfile(os.path.join(a.data, "provinces.labels"), dtype=np.uint8).astype(np.int64)
    if len(labels) != len(crops) or labels.max() >= len(PROVINCES):
        sys.exit(f"{a.data}: {len(crops)} crops but {len(labels)} labels (or a label beyond the {len(PROVINCES)} provinces)")
    val_idx, train_idx = split(len(crops))
    x_all = torch.from_numpy(crops)
    y_all = torch.from_numpy(labels)
    model = Province(len(PROVINCES))

    def validate(m):
        right = sum((out.argmax(dim=1) == y_all[part]).sum().item() for part, out in batches_of(m, x_all, val_idx))
        return right / len(val_idx)

    acc = fit(model, x_all, train_idx, a, lambda m, x, idx: F.nll_loss(m(x), y_all[idx]), validate, "validation")
    export(model, a, "province.pt", H, W, "validation", acc)


if __name__ == "__main__":
    sys.exit(main())
