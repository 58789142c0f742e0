"""What every twin shares: reading the package's export (twin/export.cc),
the two optimizers of the package (lib/nn/optim.h) written in PyTorch, and
the comparison with stated tolerances.

The twin is a reader's check of the package, not part of it: nothing in
lib/ or experiments/ imports PyTorch.
"""
import json
import math

import numpy as np
import torch

# float32's unit roundoff: a rounded operation is exact up to a factor
# (1 + delta), |delta| <= U32.
U32 = 2.0 ** -24


def read_export(path):
    """The JSON head and the arrays of an export, by name (numpy, in the
    file's dtype)."""
    with open(path, "rb") as f:
        head = json.loads(f.readline())
        arrays = {}
        for a in head["arrays"]:
            dtype = np.dtype("<f4" if a["dtype"] == "float32" else "<f8")
            n = int(np.prod(a["shape"])) if a["shape"] else 1
            data = np.frombuffer(f.read(n * dtype.itemsize), dtype=dtype, count=n)
            arrays[a["name"]] = data.reshape(a["shape"])
        if f.read(1):
            raise ValueError(path + ": bytes after the last array")
    return head, arrays


def tensor(a):
    """A numpy array as a torch tensor of its own (float32 stays float32)."""
    return torch.from_numpy(np.array(a, copy=True))


class Sgd:
    """lib/nn/optim.h Sgd: w -= lr dw."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                p.sub_(p.grad, alpha=self.lr)


class AdamTf1:
    """lib/nn/optim.h adam_step: TensorFlow 1's AdamOptimizer (ApplyAdam),
    which the paper's scripts use, in float32:
      lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
      m += (g - m)(1 - beta1);  v += (g^2 - v)(1 - beta2)
      w -= lr_t m / (sqrt(v) + eps)
    with beta^t kept as running float32 products. torch.optim.Adam differs in
    where eps enters: w -= lr m_hat / (sqrt(v_hat) + eps), i.e. TF1's form
    with eps multiplied by sqrt(1 - beta2^t); twin/check.py shows how far
    that lands from the package."""

    def __init__(self, params, lr, beta1, beta2, eps):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.beta1_power = np.float32(1)
        self.beta2_power = np.float32(1)

    def step(self):
        self.beta1_power = np.float32(self.beta1_power * np.float32(self.beta1))
        self.beta2_power = np.float32(self.beta2_power * np.float32(self.beta2))
        lr_t = float(np.float32(self.lr) * np.sqrt(np.float32(1) - self.beta2_power)
                     / (np.float32(1) - self.beta1_power))
        one_minus_b1 = float(np.float32(1) - np.float32(self.beta1))
        one_minus_b2 = float(np.float32(1) - np.float32(self.beta2))
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                g = p.grad
                m.add_((g - m) * one_minus_b1)
                v.add_((g * g - v) * one_minus_b2)
                p.sub_(lr_t * m / (v.sqrt() + float(np.float32(self.eps))))


def optimizer(settings, params):
    if settings["optimizer"] == "sgd":
        return Sgd(params, settings["lr"])
    return AdamTf1(params, settings["lr"], settings["beta1"], settings["beta2"],
                   settings["eps"])


def train_steps(model, loss_fn, opt, steps):
    """`steps` steps on one batch: loss_fn() computes the loss with the graph;
    returns the loss of each step, before its update."""
    losses = []
    for _ in range(steps):
        for p in model.parameters():
            p.grad = None
        loss = loss_fn()
        loss.backward()
        losses.append(float(loss))
        opt.step()
    return losses


class Checks:
    """Comparisons of the package's values (ref) with the twin's, each with a
    tolerance stated by the caller: |twin - ref| <= rel * max|ref| + abs_,
    element-wise. Prints one line per check, with the largest error found
    and the tolerance."""

    def __init__(self, model):
        self.model, self.failed, self.count = model, 0, 0

    def close(self, what, twin, ref, rel, abs_=0.0, why=""):
        twin = np.asarray(twin, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        self.count += 1
        if twin.shape != ref.shape:
            self.failed += 1
            print("FAIL %-28s shapes %s (twin) and %s (package)" % (what, twin.shape, ref.shape))
            return
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        tol = rel * scale + abs_
        err = float(np.max(np.abs(twin - ref))) if ref.size else 0.0
        ok = err <= tol and np.all(np.isfinite(twin))
        self.failed += not ok
        print("%s %-28s max |twin - package| %.3g <= %.3g (rel %.3g of max %.3g%s)%s"
              % ("ok  " if ok else "FAIL", what, err, tol, rel, scale,
                 "" if abs_ == 0 else " + %.3g" % abs_, "; " + why if why else ""))

    def note(self, text):
        print("note " + text)

    def finish(self):
        print("%s: %d passed, %d failed" % (self.model, self.count - self.failed, self.failed))
        return 1 if self.failed else 0


class Mlp(torch.nn.Module):
    """lib/train/mlp.h Mlp: dense layers z_l = a_{l-1} W_l + b_l, W_l
    [in, out] as the package stores it, a ReLU after layer l where
    relu_after[l]. Parameters W1, b1, W2, b2, ... (the package's names and
    order). Initialized as torch.nn.Linear (uniform); the checks load the
    package's own initial weights."""

    def __init__(self, widths, relu_after=None):
        super().__init__()
        if relu_after is None:
            relu_after = [True] * (len(widths) - 2) + [False]
        self.relu_after = list(relu_after)
        for l in range(len(widths) - 1):
            bound = 1.0 / math.sqrt(widths[l])
            self.register_parameter("W%d" % (l + 1), torch.nn.Parameter(
                torch.empty(widths[l], widths[l + 1]).uniform_(-bound, bound)))
            self.register_parameter("b%d" % (l + 1), torch.nn.Parameter(
                torch.zeros(widths[l + 1])))

    def forward(self, x):
        a = x
        for l, relu in enumerate(self.relu_after):
            a = torch.addmm(getattr(self, "b%d" % (l + 1)), a, getattr(self, "W%d" % (l + 1)))
            if relu:
                a = torch.relu(a)
        return a


def load_params(model, arrays, prefix="param/"):
    """Copies the export's parameters (flat, in the package's order) into the
    twin's parameters of the same names."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(tensor(arrays[prefix + name]).reshape(p.shape))
