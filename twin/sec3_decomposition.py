"""Section 3, experiments E3.1 and E3.2: the tuple network of line images
and the stocks model, as experiments/sec3_decomposition/ builds them.

E3.1 (tuple_network.h TupleNetwork, the script tuple_rect.py): N1 on each
28 x 28 image: conv 5x5 1 -> 16 SAME, max-pool 2, conv 5x5 16 -> 16 SAME,
max-pool 2 (no nonlinearity after the convolutions), flatten in NHWC order
(784), dense 50 ReLU, dense 100 ReLU, dense 1 = the image score; N2 on the
k scores of a tuple: sigmoid, dense 100 ReLU, dense 1. Loss: the tuple
hinge, plus (decomposition) the image hinge averaged over the B k images.
The package computes the convolutions sparsely (tuple_first_block.h,
tuple_second_block.h); the twin densely, with torch's conv2d.

E3.2 (stocks_model.h StocksModel): N_w(e_j) = softmax(W[j] + b), W = A^T
[d, k]; batch loss (1/B) sum_r -c_r^T N_w(e_{j_r}) with c_r the signal z_r
(end-to-end, equation 2) or e_{y(j_r)} (decomposition, equation 3).
Adam as TensorFlow 1 (common.AdamTf1), lr 1e-3 (E3.1) and 0.1 (E3.2),
beta2 0.99, eps 1e-5."""
import math

import torch
import torch.nn.functional as F


class Conv2d(torch.nn.Module):
    """lib/nn/conv2d.h Conv2d: W [KH, KW, Cin, Cout] as the package stores
    it, SAME padding, on NHWC inputs (the twin runs NCHW inside)."""

    def __init__(self, cin, cout, kernel=5):
        super().__init__()
        bound = 1.0 / math.sqrt(kernel * kernel * cin)
        self.W = torch.nn.Parameter(torch.empty(kernel, kernel, cin, cout).uniform_(-bound, bound))
        self.b = torch.nn.Parameter(torch.zeros(cout))

    def forward(self, x_nchw):
        w = self.W.permute(3, 2, 0, 1)  # [Cout, Cin, KH, KW]
        return F.conv2d(x_nchw, w, self.b, padding=self.W.shape[0] // 2)


class Dense(torch.nn.Module):
    """lib/nn/dense.h Dense: y = x W + b, W [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        bound = 1.0 / math.sqrt(n_in)
        self.W = torch.nn.Parameter(torch.empty(n_in, n_out).uniform_(-bound, bound))
        self.b = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.b, x, self.W)


class TupleNetwork(torch.nn.Module):
    """TupleNetwork of tuple_network.h (parameters conv1.W, conv1.b, ...,
    out.b: TupleModel::parameters' names and order)."""

    def __init__(self, k):
        super().__init__()
        self.k = k
        self.conv1 = Conv2d(1, 16)
        self.conv2 = Conv2d(16, 16)
        self.fc1 = Dense(7 * 7 * 16, 50)
        self.fc2 = Dense(50, 100)
        self.score = Dense(100, 1)
        self.mid = Dense(k, 100)
        self.out = Dense(100, 1)

    def image_scores(self, images):
        """N1 on images [N, 28, 28, 1]: scores [N, 1]."""
        x = images.permute(0, 3, 1, 2)
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        flat = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # NHWC order
        return self.score(torch.relu(self.fc2(torch.relu(self.fc1(flat)))))

    def forward(self, images):
        """(tuple scores [B, 1], image scores [N, 1])."""
        scores = self.image_scores(images)
        s = torch.sigmoid(scores.reshape(-1, self.k))
        return self.out(torch.relu(self.mid(s))), scores


def hinge(score, y):
    """lib/nn/loss.h hinge_loss, mean over the rows."""
    return torch.relu(1 - y * score).sum() / score.shape[0]


def tuple_loss(out, batch, decomposition):
    tuple_score, image_score = out
    loss = hinge(tuple_score, batch["tuple_labels"])
    if decomposition:
        loss = loss + hinge(image_score, batch["image_labels"])
    return loss


class StocksModel(torch.nn.Module):
    """StocksModel of stocks_model.h: W [d, k] (= A^T), b [k]."""

    def __init__(self, d, k):
        super().__init__()
        self.W = torch.nn.Parameter(torch.randn(d, k) / math.sqrt(d))
        self.b = torch.nn.Parameter(torch.zeros(k))

    def forward(self, j):
        """N_w(e_j) for the indices j [B]: [B, k]."""
        return torch.softmax(F.embedding(j, self.W) + self.b, dim=1)


def stocks_loss(out, c):
    """(1/B) sum_r -c_r^T N_w(e_{j_r})."""
    return -(c * out).sum() / out.shape[0]
