#!/usr/bin/python3
"""Trains CameraNet's province classifier (a small convolutional network over the left end of a plate,
cut at twice the line reader's resolution) on synthetic crops written by `./cameranet plates train`,
and exports it to ONNX (opset 13) for ONNX Runtime in C#.

A development step: CI and the tests never run it. Deterministic given the crops and the seed on one
thread; with two threads results agree to within a few tenths of a percentage point.
"""
import argparse, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
H, W = 64, 56


class Province(nn.Module):
    def __init__(self, classes):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))
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
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.set_num_threads(os.cpu_count() or 1)

    crops = np.fromfile(os.path.join(a.data, "provinces.u8"), dtype=np.uint8).reshape(-1, 1, H, W)
    labels = np.fromfile(os.path.join(a.data, "provinces.labels"), dtype=np.uint8).astype(np.int64)
    if len(labels) != len(crops) or labels.max() >= len(PROVINCES):
        sys.exit(f"{a.data}: {len(crops)} crops but {len(labels)} labels (or a label beyond the {len(PROVINCES)} provinces)")
    n = len(crops)
    val = max(1000, n // 20)
    order = np.random.permutation(n)
    val_idx, train_idx = order[:val], order[val:]
    x_all = torch.from_numpy(crops)
    y_all = torch.from_numpy(labels)
    model = Province(len(PROVINCES))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = a.epochs * (len(train_idx) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.15)
    started = time.time()
    acc = 0.0
    for epoch in range(a.epochs):
        model.train()
        np.random.shuffle(train_idx)
        total = 0.0
        for b in range(len(train_idx) // a.batch):
            idx = train_idx[b * a.batch:(b + 1) * a.batch]
            x = x_all[idx].float() / 255.0
            loss = F.nll_loss(model(x), y_all[idx])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            total += loss.item()
        acc = evaluate(model, x_all, y_all, val_idx)
        print(f"epoch {epoch + 1}/{a.epochs}: loss {total / max(1, len(train_idx) // a.batch):.4f}, "
              f"validation {acc * 100:.2f}% ({time.time() - started:.0f} s)", flush=True)

    model.eval()
    torch.save(model.state_dict(), os.path.join(a.data, "province.pt"))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, H, W), a.out, input_names=["crop"], output_names=["log_probs"],
                      opset_version=13, do_constant_folding=True)
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes); validation {acc * 100:.2f}%", flush=True)


def evaluate(model, x_all, y_all, idx):
    model.eval()
    right = 0
    with torch.no_grad():
        for b in range(0, len(idx), 512):
            part = idx[b:b + 512]
            right += (model(x_all[part].float() / 255.0).argmax(dim=1) == y_all[part]).sum().item()
    return right / len(idx)


if __name__ == "__main__":
    sys.exit(main())
