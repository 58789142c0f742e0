"""Times the twin's training step of every model at the settings of the
package's benchmarks (bench/paper_bench.cc runs this in the same run, at one
thread, and prints the ratio of every step).

  /usr/bin/python3 twin/bench.py ROW...     # rows: see STEPS; none = all

Prints "# torch VERSION", then one line per row: "ROW MS", the median over
7 repetitions of the mean CPU ms per step (the process's CPU time, as the
package's side of bench/paper_bench.cc) (each repetition at least 0.1 s and 3 steps, after 20
steps of warm-up), at torch.set_num_threads(1). A step is what the
package's step is after drawing its batch: gradients cleared, forward, loss,
backward, the optimizer's update by PyTorch's own optimizers
(torch.optim.SGD, and torch.optim.Adam with foreach=True, its multi-tensor
kernels: the same arithmetic as the package's TensorFlow 1 Adam but for
where eps enters, and PyTorch's fastest form of it), on one batch drawn once, of the benchmark's
size, with denormals flushed to zero as the package's E5 models and
TensorFlow's CPU kernels. Exit 3 when torch cannot be imported.
"""
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the bench then prints times only
    print("torch unavailable: %s" % e)
    sys.exit(3)

import sec2_parity
import sec3_decomposition
import sec4_conditioning
import sec5_flat


def parity(d):
    net = sec2_parity.ParityNetwork(d)
    x = torch.randint(0, 2, (128, d)).float() * 2 - 1
    y = torch.randint(0, 2, (128, 1)).float() * 2 - 1
    return net, lambda: sec2_parity.hinge_loss(net(x), y), torch.optim.SGD(net.parameters(), 0.01)


def adam(net, lr, beta2=0.99, eps=1e-5):
    return torch.optim.Adam(net.parameters(), lr, betas=(0.9, beta2), eps=eps, foreach=True)


def line_images(n):
    """n images [n, 28, 28, 1] of about 11 lit pixels each (a line's)."""
    im = torch.zeros(n, 28 * 28)
    im.scatter_(1, torch.randint(0, 28 * 28, (n, 11)), 1.0)
    return im.reshape(n, 28, 28, 1)


def tuples(k, dec):
    net = sec3_decomposition.TupleNetwork(k)
    batch = {"images": line_images(200 * k),
             "image_labels": torch.randint(0, 2, (200 * k, 1)).float() * 2 - 1,
             "tuple_labels": torch.randint(0, 2, (200, 1)).float() * 2 - 1}
    loss = lambda: sec3_decomposition.tuple_loss(net(batch["images"]), batch, dec)
    return net, loss, adam(net, 1e-3)


def stocks(k):
    net = sec3_decomposition.StocksModel(1000, k)
    j = torch.randint(0, 1000, (100,))
    z = torch.randint(0, 2, (100, k)).float() * 2 - 1
    return net, lambda: sec3_decomposition.stocks_loss(net(j), z), adam(net, 0.1)


def encoder(name):
    if name == "fc":
        net, lr = sec4_conditioning.FullyConnected(100), 1e-4
    elif name == "conv":
        net, lr = sec4_conditioning.Conv(), 0.05
    elif name == "conv_whitened":
        net, lr = sec4_conditioning.Conv(torch.eye(3) + 0.1), 0.99
    else:
        net, lr = sec4_conditioning.AutoEncoder(100, 3), 1e-3
    batch_size = 10 if name == "conv_whitened" else 100
    f = torch.cumsum(torch.cumsum(torch.randn(batch_size, 100) * 0.1, 1), 1)
    batch = {"f": f, "p": torch.randn(batch_size, 100)}
    return net, lambda: net.loss(net(f), batch), adam(net, lr, 0.999, 1e-8)


def flat(approach):
    x = torch.randn(256, 100) / 100
    batch = {"y": torch.randn(256, 1), "label": torch.randint(0, 52, (256,))}
    if approach == "e2e":
        net = sec5_flat.EndToEndNetwork()
    elif approach == "multiclass":
        net = sec5_flat.MulticlassNetwork()
    else:
        net = sec5_flat.StepUnit(torch.linspace(-3, 3, 52, dtype=torch.float64))
    return net, lambda: net.loss(net(x), batch), adam(net, 1e-3)


# The rows of bench/paper_bench.cc's summary, by id.
STEPS = {
    "E2.1/5": lambda: parity(5),
    "E2.1/30": lambda: parity(30),
    "E3.1/1/e2e": lambda: tuples(1, False),
    "E3.1/1/dec": lambda: tuples(1, True),
    "E3.1/2/e2e": lambda: tuples(2, False),
    "E3.1/2/dec": lambda: tuples(2, True),
    "E3.1/3/e2e": lambda: tuples(3, False),
    "E3.1/3/dec": lambda: tuples(3, True),
    "E3.1/4/e2e": lambda: tuples(4, False),
    "E3.1/4/dec": lambda: tuples(4, True),
    "E3.2/10": lambda: stocks(10),
    "E3.2/1000": lambda: stocks(1000),
    "E3.2/2000": lambda: stocks(2000),
    "E4.1.1": lambda: encoder("fc"),
    "E4.1.2": lambda: encoder("conv"),
    "E4.1.3": lambda: encoder("conv_whitened"),
    "E4.1.4": lambda: encoder("autoencoder"),
    "E5.3": lambda: flat("e2e"),
    "E5.4": lambda: flat("multiclass"),
    "E5.5": lambda: flat("forward_only"),
}


def step_ms(net, loss_fn, opt):
    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()

    for _ in range(20):
        step()
    reps = []
    for _ in range(7):
        n, start = 0, time.process_time()
        while True:
            step()
            n += 1
            elapsed = time.process_time() - start
            if n >= 3 and elapsed >= 0.1:
                break
        reps.append(1e3 * elapsed / n)
    reps.sort()
    return reps[len(reps) // 2]


def main(rows):
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    torch.manual_seed(1)
    print("# torch %s" % torch.__version__, flush=True)
    for row in rows or list(STEPS):
        if row not in STEPS:
            sys.exit("bench.py: unknown row '%s'; rows: %s" % (row, " ".join(STEPS)))
        print("%s %.6f" % (row, step_ms(*STEPS[row]())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
