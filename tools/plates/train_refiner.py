#!/usr/bin/python3
"""Trains CameraNet's box refiner (a small convolutional network that looks at a badly boxed region's
surroundings, drawn upright at 64x128, and gives whether a plate is there and its four corners) on
synthetic canvases written by `./cameranet plates train`, and exports it to ONNX (opset 13) for ONNX
Runtime in C# (PlateRefiner).

A development step: CI and the tests never run it.
"""
import os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from training import arguments, batches_of, block, export, fit, split

H, W = 64, 128
OUTPUTS = 9  # presence logit, then TL, TR, BR, BL corners as (x, y) shares of the canvas


class Refiner(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            block(1, 16), nn.MaxPool2d(2, 2),                 # 32 x 64
            block(16, 32), nn.MaxPool2d(2, 2),                # 16 x 32
            block(32, 64), block(64, 64), nn.MaxPool2d(2, 2),  # 8 x 16
            block(64, 96), nn.MaxPool2d(2, 2),                # 4 x 8
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.1), nn.Linear(96 * 4 * 8, 192), nn.ReLU(inplace=True), nn.Linear(192, OUTPUTS))

    def forward(self, x):                  # x: [N, 1, 64, 128] in 0..1
        return self.head(self.features(x))  # [N, 9]


def main():
    a = arguments(default_epochs=8)
    canvases = np.fromfile(os.path.join(a.data, "refiner.u8"), dtype=np.uint8).reshape(-1, 1, H, W)
    targets = np.fromfile(os.path.join(a.data, "refiner.targets"), dtype="<f4").reshape(-1, OUTPUTS)
    if len(targets) != len(canvases):
        sys.exit(f"{a.data}: {len(canvases)} canvases but {len(targets)} targets")
    val_idx, train_idx = split(len(canvases))
    x_all = torch.from_numpy(canvases)
    y_all = torch.from_numpy(targets)
    print(f"{len(canvases)} canvases, {int(targets[:, 0].sum())} with a plate", flush=True)
    model = Refiner()

    def loss_of(m, x, idx):
        y = y_all[idx]
        out = m(x)
        present = y[:, 0]
        presence = F.binary_cross_entropy_with_logits(out[:, 0], present)
        # Corners only where a plate is; L1 in canvas shares, x and y weighted by the canvas's size in px.
        scale = torch.tensor([W, H] * 4, dtype=torch.float32) / W
        corners = (F.smooth_l1_loss(out[:, 1:] * scale, y[:, 1:] * scale, reduction="none", beta=0.01).sum(dim=1) * present).sum() / present.sum().clamp(min=1)
        return presence + 10 * corners

    def validate(m):
        """The share of canvases judged right: no plate said absent, or a plate said present with every corner within 3 px."""
        right = 0
        for part, out in batches_of(m, x_all, val_idx):
            y = y_all[part]
            said = out[:, 0] > 0
            err = ((out[:, 1:] - y[:, 1:]) * torch.tensor([W, H] * 4, dtype=torch.float32)).abs().amax(dim=1)
            right += ((y[:, 0] == 0) & ~said).sum().item() + ((y[:, 0] == 1) & said & (err <= 3)).sum().item()
        return right / len(val_idx)

    acc = fit(model, x_all, train_idx, a, loss_of, validate, "validation (presence right, corners within 3 px)")
    export(model, a, "refiner.pt", H, W, "validation", acc, output="box")


if __name__ == "__main__":
    sys.exit(main())
