"""What CameraNet's two trainers (train_ocr.py, train_province.py) share: their arguments and seeding,
the network's building block, the training loop and the export to ONNX (opset 13).

A development step: CI and the tests never run it.
"""
import argparse, os, random, time
import numpy as np
import torch
import torch.nn as nn


def arguments(default_epochs):
    """The trainers' command line (as `./cameranet plates train` calls them), every generator seeded."""
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=default_epochs)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    return a


def block(i, o):
    """3x3 convolution, batch norm, ReLU."""
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))


def split(n):
    """Indices of the validation crops (a twentieth, at least 1,000) and of the training crops."""
    val = max(1000, n // 20)
    order = np.random.permutation(n)
    return order[:val], order[val:]


def fit(model, x_all, train_idx, a, loss_of, validate, measure):
    """Trains with AdamW under a one-cycle schedule, `a.epochs` passes of `a.batch` crops (uint8 in
    `x_all`, fed in 0..1); `loss_of(model, x, idx)` is one batch's loss, `validate(model)` the share
    right after each epoch, printed as `measure`. Returns the last validation."""
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    batches = len(train_idx) // a.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=a.epochs * batches, pct_start=0.15)
    started = time.time()
    acc = 0.0
    for epoch in range(a.epochs):
        model.train()
        np.random.shuffle(train_idx)
        total = 0.0
        for b in range(batches):
            idx = train_idx[b * a.batch:(b + 1) * a.batch]
            loss = loss_of(model, x_all[idx].float() / 255.0, idx)
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            total += loss.item()
        acc = validate(model)
        print(f"epoch {epoch + 1}/{a.epochs}: loss {total / max(1, batches):.4f}, "
              f"{measure} {acc * 100:.2f}% ({time.time() - started:.0f} s)", flush=True)
    return acc


def batches_of(model, x_all, idx, size=512):
    """The model's outputs on the crops `idx`, in batches, without gradients: (indices, outputs) pairs."""
    model.eval()
    with torch.no_grad():
        for b in range(0, len(idx), size):
            part = idx[b:b + size]
            yield part, model(x_all[part].float() / 255.0)


def export(model, a, checkpoint, height, width, measure, acc, output="log_probs"):
    """Saves the PyTorch weights beside the crops and the ONNX model where `--out` says."""
    model.eval()
    torch.save(model.state_dict(), os.path.join(a.data, checkpoint))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, height, width), a.out, input_names=["crop"], output_names=[output],
                      opset_version=13, do_constant_folding=True)
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes); {measure} {acc * 100:.2f}%", flush=True)
