#!/usr/bin/python3
"""Trains CameraNet's plate reader (a small convolutional CTC network) on synthetic crops written by
`./cameranet plates train` and exports it to ONNX (opset 13) for ONNX Runtime in C#.

A development step: CI and the tests never run it. Deterministic given the crops and the seed on one
thread (torch.set_num_threads(1) would be exact but slow; with two threads results agree to within
a few tenths of a percentage point of validation accuracy).
"""
import argparse, os, random, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECIAL = "学警挂港澳使领试超"
ALPHABET = PROVINCES + LETTERS + DIGITS + SPECIAL  # index + 1; 0 is the CTC blank
H, W = 32, 128


class Reader(nn.Module):
    def __init__(self, classes):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))
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
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.set_num_threads(os.cpu_count() or 1)

    crops = np.fromfile(os.path.join(a.data, "crops.u8"), dtype=np.uint8).reshape(-1, 1, H, W)
    with open(os.path.join(a.data, "labels.txt"), encoding="utf-8") as f:
        labels = f.read().split("\n")[: len(crops)]
    index = {c: i + 1 for i, c in enumerate(ALPHABET)}
    targets = [[index[c] for c in s] for s in labels]
    n = len(crops)
    val = max(1000, n // 20)
    order = np.random.permutation(n)
    val_idx, train_idx = order[:val], order[val:]
    x_all = torch.from_numpy(crops)
    model = Reader(len(ALPHABET) + 1)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = a.epochs * (len(train_idx) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.15)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    started = time.time()
    for epoch in range(a.epochs):
        model.train()
        np.random.shuffle(train_idx)
        total = 0.0
        for b in range(len(train_idx) // a.batch):
            idx = train_idx[b * a.batch:(b + 1) * a.batch]
            x = x_all[idx].float() / 255.0
            ys = [targets[i] for i in idx]
            flat = torch.tensor([c for y in ys for c in y], dtype=torch.long)
            lengths = torch.tensor([len(y) for y in ys], dtype=torch.long)
            out = model(x)  # [N, T, C]
            loss = ctc(out.permute(1, 0, 2), flat, torch.full((len(idx),), out.shape[1], dtype=torch.long), lengths)
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            total += loss.item()
        acc = evaluate(model, x_all, val_idx, labels)
        print(f"epoch {epoch + 1}/{a.epochs}: loss {total / max(1, len(train_idx) // a.batch):.4f}, "
              f"validation exact {acc * 100:.2f}% ({time.time() - started:.0f} s)", flush=True)

    model.eval()
    torch.save(model.state_dict(), os.path.join(a.data, "model.pt"))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, H, W), a.out, input_names=["crop"], output_names=["log_probs"],
                      opset_version=13, do_constant_folding=True)
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes); validation exact {acc * 100:.2f}%", flush=True)


def decode(row):
    text, prev = [], 0
    for k in row:
        if k != 0 and k != prev:
            text.append(ALPHABET[k - 1])
        prev = k
    return "".join(text)


def evaluate(model, x_all, idx, labels):
    model.eval()
    right = 0
    with torch.no_grad():
        for b in range(0, len(idx), 512):
            part = idx[b:b + 512]
            best = model(x_all[part].float() / 255.0).argmax(dim=2).numpy()
            right += sum(decode(r) == labels[i] for r, i in zip(best, part))
    return right / len(idx)


if __name__ == "__main__":
    sys.exit(main())
