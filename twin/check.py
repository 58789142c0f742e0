"""Checks one export of the package (twin/export.cc) against the twin:
the forward values, the loss, every parameter's gradient, the loss of each
of the steps and the parameters after them, each at a tolerance stated
below from float32 rounding. Exit 0 when every check holds.

  /usr/bin/python3 twin/check.py FILE.twin

Tolerances. Both sides compute in float32 but sum in different orders
(OpenBLAS's sgemm and the package's own loops against PyTorch's kernels,
dense against the package's sparse convolutions), so they agree to the
rounding of the sums along the chain of one step. With n the summed
length of those sums (stated per model below), the deterministic bound
n u (u = 2^-24) is far too loose for E3.1 (n = 630 126: 4 %); the check
uses the probabilistic bound of Higham and Mary ("A new approach to
probabilistic rounding error analysis", SIAM J. Sci. Comput. 41, 2019):
with independent rounding errors a sum of n terms is off by at most
lambda sqrt(n) u times the sum of the terms' magnitudes, except with
probability about 2 n exp(-lambda^2 / 2); lambda = 8 (below 1e-8 for every
n here). A check allows 4 lambda sqrt(n) u max|package value|, the 4 for
the terms' magnitudes exceeding the largest value. The values after the
steps (the loss of each step, the final forward values): 10 times that,
the parameters having drifted apart by the tolerance below. The
parameters after the steps: SGD's update is linear in the gradient, so
the gradient's tolerance times lr per step; Adam's update
m / (sqrt(v) + eps) is the ratio of two averages of the gradient, so a
relative error e of a gradient entry moves the update by about e lr_t, up
to 2 lr_t where the entry is near zero and its sign is rounding; the
check allows the steps x the largest lr_t x twice the largest relative
gradient error measured, plus the weights' own rounding (steps u |w|).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

import common
import sec2_parity
import sec3_decomposition
import sec4_conditioning
import sec5_flat
from common import U32, Checks, tensor

torch.set_num_threads(1)

# Higham and Mary's lambda (see the top).
LAMBDA = 8.0


def build(head, arrays):
    """The twin of the export's model, its batch (tensors), its loss as a
    function of its output, and n, the summed length of the float32 sums
    along the chain of one step (forward and backward)."""
    s = head["settings"]
    model = head["model"]
    batch = {k[len("batch/"):]: tensor(v) for k, v in arrays.items() if k.startswith("batch/")}
    if model == "e2_1":
        d = s["d"]
        net = sec2_parity.ParityNetwork(d, s["width_factor"])
        batch["in"] = batch["x"]
        loss = lambda out: sec2_parity.hinge_loss(out, batch["y"])
        # forward d + 10 d; backward: dW sums over the batch, dx over 10 d.
        n = d + 10 * d + s["batch"] + 10 * d
    elif model == "t2":
        d, width = s["d"], s["width"]
        net = sec2_parity.T2Network(d, width)
        batch["in"] = batch["x"]
        loss = lambda out: sec2_parity.squared_loss(out, batch["y"])
        # forward d + width; backward: dW sums over the batch, dx over width.
        n = d + width + s["batch"] + width
    elif model.startswith("e3_1_"):
        k = s["k"]
        net = sec3_decomposition.TupleNetwork(k)
        dec = s["approach"] == "dec"
        batch["in"] = batch["images"]
        loss = lambda out: sec3_decomposition.tuple_loss(out, batch, dec)
        # forward: conv1 25 taps, conv2 400, 784, 50, 100, k, 100; the
        # backward as long again, and dW of the convolutions sums over the
        # N images' 28 x 28 (conv1) and 14 x 14 (conv2) positions.
        n = 2 * (25 + 400 + 784 + 50 + 100 + k + 100) + s["batch"] * k * 28 * 28
    elif model.startswith("e3_2_"):
        net = sec3_decomposition.StocksModel(1000, s["k"])
        batch["in"] = batch["j"].long()
        if s["estimator"] == "e2e":
            c = batch["z"]
        else:
            c = F.one_hot(batch["label"].long(), s["k"]).float()
        loss = lambda out: sec3_decomposition.stocks_loss(out, c)
        # the softmax's sum of k exponentials, twice (forward and backward),
        # and dW, db sum over the batch.
        n = 2 * s["k"] + s["batch"]
    elif model.startswith("e4_1_"):
        enc = s["encoder"]
        if enc == "fc":
            net = sec4_conditioning.FullyConnected(s["n"])
            n = s["n"] + s["batch"]
        elif enc in ("conv", "conv_whitened"):
            M = tensor(arrays["const/M"]).float() if enc == "conv_whitened" else None
            net = sec4_conditioning.Conv(M)
            n = 3 + 3 + s["batch"] * s["n"]  # v = M w; the filter; dv sums B n terms
        else:
            net = sec4_conditioning.AutoEncoder(s["n"], s["k"], s["relu_code"])
            widths = [s["n"], 500, 100, 2 * s["k"], 100, 100, s["n"]]
            n = sum(widths[:-1]) + sum(widths[1:]) + s["batch"]
        batch["in"] = batch["f"]
        loss = lambda out: net.loss(out, batch)
    else:
        approach = s["approach"]
        if approach == "e2e":
            net = sec5_flat.EndToEndNetwork(100, s["hidden"])
            n = 2 * (100 + 3 * s["hidden"]) + s["batch"]
        elif approach == "multiclass":
            net = sec5_flat.MulticlassNetwork(100, s["hidden"], arrays["param/b3"].shape[0])
            n = 2 * (100 + 2 * s["hidden"] + arrays["param/b3"].shape[0]) + s["batch"]
        else:
            net = sec5_flat.StepUnit(tensor(arrays["const/z"]), 100)
            n = 100 + s["batch"]
        batch["label"] = batch["label"].long()
        batch["in"] = batch["x"]
        loss = lambda out: net.loss(out, batch)
    common.load_params(net, arrays)
    return net, batch, loss, n


def main(path):
    head, arrays = common.read_export(path)
    s = head["settings"]
    checks = Checks(head["model"])
    net, batch, loss_of, n = build(head, arrays)
    tol = 4 * LAMBDA * np.sqrt(n) * U32
    checks.note("%s: float32 chain length n = %d, tolerance 4 lambda sqrt(n) u = %.3g of the "
                "largest value"
                % (head["model"], n, tol))

    # Forward, loss and gradients at the initial parameters.
    out = net(batch["in"])
    loss = loss_of(out)
    loss.backward()
    # E3 and E4.1: the forward values after the steps (the linear encoders
    # start at zero); the others: at the initial parameters.
    encoder = head["model"].startswith("e4_1_")
    if not encoder and not head["model"].startswith("e3_"):
        checks.close("forward (initial)", out.detach(), arrays["forward"], tol)
    checks.close("loss (initial)", float(loss), arrays["loss"][0], tol)
    rel_grad = 0.0
    for name, p in net.named_parameters():
        g, ref = p.grad.numpy().ravel(), arrays["grad/" + name]
        checks.close("gradient " + name, g, ref, tol)
        big = np.abs(ref) > 1e-30
        if big.any():
            rel_grad = max(rel_grad, float(np.max(np.abs(g[big] - ref[big]) / np.abs(ref[big]))))

    # The steps, from the initial parameters again (the gradients above are
    # the first step's).
    common.load_params(net, arrays)
    opt = common.optimizer(s, net.parameters())
    steps = head["steps"]
    losses = common.train_steps(net, lambda: loss_of(net(batch["in"])), opt, steps)
    # Each step's loss: the same chain, on parameters that drifted by the
    # tolerance of the parameters below; allowed: 10 times the forward's.
    checks.close("loss of each step", losses, arrays["losses"], 10 * tol)
    if s["optimizer"] == "sgd":
        lr_max, why = s["lr"], "SGD"
        step_rel = tol
    else:
        b1, b2 = s["beta1"], s["beta2"]
        lr_max = max(s["lr"] * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) for t in range(1, steps + 1))
        # m / sqrt(v) moves by the relative error of the gradient, at most 2.
        step_rel = min(2.0, 2 * max(rel_grad, tol))
        why = "Adam (TF1): %d steps x max lr_t %.3g x 2 x max relative gradient error %.3g" % (
            steps, lr_max, rel_grad)
    for name, p in net.named_parameters():
        ref = arrays["final/" + name]
        w_scale = float(np.max(np.abs(ref)))
        if s["optimizer"] == "sgd":
            g_scale = float(np.max(np.abs(arrays["grad/" + name])))
            abs_ = steps * lr_max * (10 * tol) * max(g_scale, 1e-30) + steps * U32 * w_scale
        else:
            abs_ = steps * lr_max * step_rel + steps * U32 * w_scale
        checks.close("parameters after %d steps %s" % (steps, name), p.detach().numpy().ravel(),
                     ref, 0.0, abs_, why if name == next(iter(dict(net.named_parameters()))) else "")
    if head["model"].startswith("e3_1_"):
        tuple_score, image_score = net(batch["in"])
        checks.close("tuple scores (final)", tuple_score.detach(), arrays["forward"], 10 * tol)
        checks.close("image scores (final)", image_score.detach(), arrays["forward_images"],
                     10 * tol)
    if head["model"].startswith("e3_2_"):
        checks.close("N_w(e_j) (final)", net(batch["in"]).detach(), arrays["forward"], 10 * tol)
    if encoder:
        out = net(batch["in"]).detach()
        fwd = sec4_conditioning.decode(net, out)
        if isinstance(net, sec4_conditioning.AutoEncoder):
            checks.close("decoded curves (final)", fwd, arrays["forward"], 10 * tol)
        else:
            # W p_hat (float64 on both sides) adds up to n (n + 1) / 2
            # entries of p_hat, each within the forward's tolerance.
            m = s["n"]
            checks.close("decoded curves (final)", fwd, arrays["forward"], 0.0,
                         m * (m + 1) / 2 * 10 * tol * float(out.abs().max()),
                         "W p_hat: n (n + 1) / 2 entries of p_hat")

    if s["optimizer"] == "adam_tf1":
        # Where the package deliberately differs from PyTorch: TensorFlow 1's
        # eps placement. torch.optim.Adam from the same start; how far it
        # lands from the package (information, not a check).
        common.load_params(net, arrays)
        torch_adam = torch.optim.Adam(net.parameters(), lr=s["lr"], betas=(s["beta1"], s["beta2"]),
                                      eps=s["eps"])
        common.train_steps(net, lambda: loss_of(net(batch["in"])), torch_adam, steps)
        far = max(float(np.max(np.abs(p.detach().numpy().ravel() - arrays["final/" + name])))
                  for name, p in net.named_parameters())
        checks.note("torch.optim.Adam (eps added to sqrt(v_hat), not to sqrt(v)) lands %.3g "
                    "from the package after %d steps: the package follows TensorFlow 1, as "
                    "the paper's scripts" % (far, steps))
    return checks.finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check.py FILE.twin")
    sys.exit(main(sys.argv[1]))
