"""The nn layers and functionals added for the PyTorch face, against PyTorch with the
same weights (copied through state_dict: the keys are PyTorch's): forward values and
first- and second-order gradients, in float64 and float32."""
import warnings

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
from minitensor.autograd import grad, gradcheck, gradgradcheck
import minitensor.nn.functional as F
from minitensor.nn.utils import rnn as R

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
DTYPES = ["float64", "float32"]


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-11) if dtype == "float64" else dict(rtol=2e-4, atol=2e-5)


def _np(t):
    if isinstance(t, xp.Tensor):
        return np.asarray(t.detach())
    return t.detach().numpy()


def _copy_weights(ours, theirs, dtype):
    """Torch's parameters into ours (same state_dict keys), in ``dtype``."""
    theirs.to(getattr(torch, dtype))
    ours.to(getattr(xp, dtype))
    sd = theirs.state_dict()
    assert set(sd) == set(ours.state_dict())
    ours.load_state_dict({k: xp.asarray(v.detach().numpy().copy()) for k, v in sd.items()})


def _pair(rng, shape, dtype):
    a = rng.standard_normal(shape).astype(dtype)
    return xp.tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)


def _close(a, b, dtype):
    np.testing.assert_allclose(_np(a), _np(b), **_tol(dtype))


def _check_param_grads(ours, theirs, dtype):
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tp[name].grad, dtype)


# ------------------------------------------------------------------------------- cells
@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                    ("RNNCell", {"bias": False}), ("LSTMCell", {}),
                                    ("LSTMCell", {"bias": False}), ("GRUCell", {})])
def test_cells_match_pytorch(cls, kw, dtype):
    rng = np.random.default_rng(0)
    ours, theirs = getattr(nn, cls)(3, 4, **kw), getattr(torch.nn, cls)(3, 4, **kw)
    _copy_weights(ours, theirs, dtype)
    x, tx = _pair(rng, (6, 2, 3), dtype)
    h, th = _pair(rng, (2, 4), dtype)
    lstm = cls == "LSTMCell"
    if lstm:
        c, tc = _pair(rng, (2, 4), dtype)
        state, tstate = (h, c), (th, tc)
    else:
        state, tstate = h, th
    outs, touts = [], []
    for t in range(6):
        state = ours(x[t], state)
        tstate = theirs(tx[t], tstate)
        outs.append(state[0] if lstm else state)
        touts.append(tstate[0] if lstm else tstate)
    for o, to in zip(outs, touts):
        _close(o, to, dtype)
    w = rng.standard_normal((6, 2, 4)).astype(dtype)
    loss = xp.sum(xp.stack(outs) * xp.asarray(w))
    tloss = (torch.stack(touts) * torch.tensor(w)).sum()
    if lstm:
        loss = loss + xp.sum(state[1] ** 2)
        tloss = tloss + (tstate[1] ** 2).sum()
    loss.backward()
    tloss.backward()
    _close(x.grad, tx.grad, dtype)
    _close(h.grad, th.grad, dtype)
    _check_param_grads(ours, theirs, dtype)
    # unbatched input and the default zero state
    _close(ours(x[0, 0])[0] if lstm else ours(x[0, 0]),
           theirs(tx[0, 0])[0] if lstm else theirs(tx[0, 0]), dtype)


@needs_torch
@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_second_order_match_pytorch(cls):
    rng = np.random.default_rng(1)
    ours, theirs = getattr(nn, cls)(3, 2), getattr(torch.nn, cls)(3, 2)
    _copy_weights(ours, theirs, "float64")
    x, tx = _pair(rng, (4, 3), "float64")
    y = ours(x)
    ty = theirs(tx)
    y, ty = (y[0], ty[0]) if cls == "LSTMCell" else (y, ty)
    (gx,) = grad(xp.sum(y ** 2), [x], create_graph=True)
    (tgx,) = torch.autograd.grad((ty ** 2).sum(), [tx], create_graph=True)
    _close(gx, tgx, "float64")
    xp.sum(gx ** 2).backward()
    (tgx ** 2).sum().backward()
    _check_param_grads(ours, theirs, "float64")


def test_cell_gradgradcheck():
    xp.manual_seed(0)
    cell = nn.LSTMCell(2, 3, dtype=xp.float64)
    x = xp.tensor(np.random.default_rng(2).standard_normal((2, 2)), requires_grad=True)
    assert gradcheck(lambda x: cell(x)[1], (x,))
    assert gradgradcheck(lambda x: cell(x)[0], (x,))


def test_cell_errors():
    cell = nn.GRUCell(3, 4)
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
        cell(xp.ones((1, 2, 3), dtype=xp.float32))
    with pytest.raises(ValueError, match="input_size"):
        cell(xp.ones((2, 5), dtype=xp.float32))
    with pytest.raises(ValueError, match="hx of shape"):
        cell(xp.ones((2, 3), dtype=xp.float32), xp.ones((3, 4), dtype=xp.float32))
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="dtype"):
        cell(xp.ones((2, 3)))


# ------------------------------------------------------------------- nn.utils.rnn
@needs_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_pad_round_trip_matches_pytorch(batch_first, enforce_sorted):
    rng = np.random.default_rng(3)
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 4]
    shape = (5, 5, 3) if not batch_first else (5, 5, 3)
    x, tx = _pair(rng, shape, "float64")
    p = R.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths),
                                                 batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
    _close(p.data, tp.data, "float64")
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    if not enforce_sorted:
        # (ties between equal lengths may be ordered differently: compare the lengths)
        np.testing.assert_array_equal(np.asarray(lengths)[_np(p.sorted_indices)],
                                      np.asarray(lengths)[tp.sorted_indices.numpy()])
    else:
        assert p.sorted_indices is None and tp.sorted_indices is None
    out, lens = R.pad_packed_sequence(p, batch_first=batch_first, padding_value=-1.0,
                                      total_length=7)
    tout, tlens = torch.nn.utils.rnn.pad_packed_sequence(tp, batch_first=batch_first,
                                                         padding_value=-1.0, total_length=7)
    _close(out, tout, "float64")
    assert lens.tolist() == tlens.tolist() == lengths
    w = rng.standard_normal(out.shape)
    xp.sum(out * xp.asarray(w)).backward()
    (tout * torch.tensor(w)).sum().backward()
    _close(x.grad, tx.grad, "float64")


@needs_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_pytorch(batch_first, padding_side):
    rng = np.random.default_rng(4)
    pairs = [_pair(rng, (n, 2), "float64") for n in (3, 1, 4)]
    out = R.pad_sequence([p[0] for p in pairs], batch_first=batch_first, padding_value=0.5,
                         padding_side=padding_side)
    tout = torch.nn.utils.rnn.pad_sequence([p[1] for p in pairs], batch_first=batch_first,
                                           padding_value=0.5, padding_side=padding_side)
    _close(out, tout, "float64")
    xp.sum(out ** 3).backward()
    (tout ** 3).sum().backward()
    for a, b in pairs:
        _close(a.grad, b.grad, "float64")
    ps = R.pack_sequence([p[0] for p in pairs], enforce_sorted=False)
    tps = torch.nn.utils.rnn.pack_sequence([p[1] for p in pairs], enforce_sorted=False)
    _close(ps.data, tps.data, "float64")
    for a, b in zip(R.unpack_sequence(ps), torch.nn.utils.rnn.unpack_sequence(tps)):
        _close(a, b, "float64")


def test_pack_errors():
    x = xp.ones((3, 2, 1))
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_padded_sequence(x, [1, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        R.pack_padded_sequence(x, [3, 0])
    with pytest.raises(ValueError, match="batch_size"):
        R.pack_padded_sequence(x, [3, 2, 1])
    p = R.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="total_length"):
        R.pad_packed_sequence(p, total_length=2)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,kw", [
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"bidirectional": True}), ("GRU", {"num_layers": 2, "batch_first": True}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}), ("RNN", {"bias": False}),
])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_recurrent_layers_on_packed_sequences_match_pytorch(cls, kw, dtype, enforce_sorted):
    rng = np.random.default_rng(5)
    ours, theirs = getattr(nn, cls)(3, 4, **kw), getattr(torch.nn, cls)(3, 4, **kw)
    _copy_weights(ours, theirs, dtype)
    lengths = [6, 4, 4, 1] if enforce_sorted else [4, 6, 1, 4]
    bf = kw.get("batch_first", False)
    x, tx = _pair(rng, (4, 6, 3) if bf else (6, 4, 3), dtype)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1) * D
    h0, th0 = _pair(rng, (L, 4, 4), dtype)
    lstm = cls == "LSTM"
    if lstm:
        c0, tc0 = _pair(rng, (L, 4, 4), dtype)
    p = R.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=enforce_sorted)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, batch_first=bf,
                                                 enforce_sorted=enforce_sorted)
    out, hn = ours(p, (h0, c0) if lstm else h0)
    tout, thn = theirs(tp, (th0, tc0) if lstm else th0)
    assert isinstance(out, R.PackedSequence)
    o, _ = R.pad_packed_sequence(out, batch_first=bf)
    to, _ = torch.nn.utils.rnn.pad_packed_sequence(tout, batch_first=bf)
    _close(o, to, dtype)
    hs, ths = (list(hn), list(thn)) if lstm else ([hn], [thn])
    for a, b in zip(hs, ths):
        _close(a, b, dtype)
    w = rng.standard_normal(o.shape).astype(dtype)
    loss = xp.sum(o * xp.asarray(w)) + sum(xp.sum(a ** 2) for a in hs)
    tloss = (to * torch.tensor(w)).sum() + sum((b ** 2).sum() for b in ths)
    loss.backward()
    tloss.backward()
    _close(x.grad, tx.grad, dtype)
    _close(h0.grad, th0.grad, dtype)
    _check_param_grads(ours, theirs, dtype)
    # no initial state
    out, _ = ours(p)
    tout, _ = theirs(tp)
    _close(out.data, tout.data, dtype)


# --------------------------------------------------------------------- transformer
def _masks(rng, S, N, lib):
    causal = (nn.Transformer if lib == "mt" else torch.nn.Transformer) \
        .generate_square_subsequent_mask(S)
    pad = np.zeros((N, S), bool)
    pad[0, -2:] = True
    pad = xp.asarray(pad) if lib == "mt" else torch.tensor(pad)
    return causal, pad


@needs_torch
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "activation": "gelu"},
                                {"batch_first": True}, {"bias": False}])
def test_transformer_encoder_matches_pytorch(kw, dtype):
    rng = np.random.default_rng(6)
    torch.manual_seed(0)
    layer_kw = dict(d_model=8, nhead=2, dim_feedforward=12, dropout=0.0, **kw)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer_kw), 2,
                                 norm=nn.LayerNorm(8, bias=kw.get("bias", True)))
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**layer_kw), 2,
                                         norm=torch.nn.LayerNorm(8, bias=kw.get("bias", True)),
                                         enable_nested_tensor=False)
    _copy_weights(ours, theirs, dtype)
    S, N = 5, 3
    shape = (N, S, 8) if kw.get("batch_first") else (S, N, 8)
    x, tx = _pair(rng, shape, dtype)
    causal, pad = _masks(rng, S, N, "mt")
    tcausal, tpad = _masks(rng, S, N, "torch")
    for args, targs in [((), ()), ((xp.astype(causal, getattr(xp, dtype)),),
                                   (tcausal.to(getattr(torch, dtype)),))]:
        y = ours(x, *args, src_key_padding_mask=pad)
        ty = theirs(tx, *targs, src_key_padding_mask=tpad)
        _close(y, ty, dtype)
    w = rng.standard_normal(y.shape).astype(dtype)
    xp.sum(y * xp.asarray(w)).backward()
    (ty * torch.tensor(w)).sum().backward()
    _close(x.grad, tx.grad, dtype)
    _check_param_grads(ours, theirs, dtype)


@needs_torch
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "batch_first": True}])
def test_transformer_matches_pytorch(kw, dtype):
    rng = np.random.default_rng(7)
    torch.manual_seed(0)
    mkw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
               dim_feedforward=12, dropout=0.0, **kw)
    ours, theirs = nn.Transformer(**mkw), torch.nn.Transformer(**mkw)
    _copy_weights(ours, theirs, dtype)
    bf = kw.get("batch_first", False)
    S, T, N = 6, 4, 2
    src, tsrc = _pair(rng, (N, S, 8) if bf else (S, N, 8), dtype)
    tgt, ttgt = _pair(rng, (N, T, 8) if bf else (T, N, 8), dtype)
    mask = ours.generate_square_subsequent_mask(T, dtype=getattr(xp, dtype))
    tmask = theirs.generate_square_subsequent_mask(T, dtype=getattr(torch, dtype))
    _, pad = _masks(rng, S, N, "mt")
    _, tpad = _masks(rng, S, N, "torch")
    y = ours(src, tgt, tgt_mask=mask, src_key_padding_mask=pad, memory_key_padding_mask=pad)
    ty = theirs(tsrc, ttgt, tgt_mask=tmask, src_key_padding_mask=tpad,
                memory_key_padding_mask=tpad)
    _close(y, ty, dtype)
    xp.sum(y ** 2).backward()
    (ty ** 2).sum().backward()
    _close(src.grad, tsrc.grad, dtype)
    _close(tgt.grad, ttgt.grad, dtype)
    _check_param_grads(ours, theirs, dtype)


def test_transformer_init_and_errors():
    xp.manual_seed(0)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                           dim_feedforward=16)
    w = model.encoder.layers[0].linear1.weight
    bound = (6 / (8 + 16)) ** 0.5          # Xavier-uniform
    assert float(xp.max(xp.abs(w))) <= bound and float(xp.max(xp.abs(w))) > 0.8 * bound
    layers = model.encoder.layers
    assert len(layers) == 1
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="batch number"):
        model(xp.zeros((3, 2, 8), dtype=xp.float32), xp.zeros((3, 4, 8), dtype=xp.float32))
    with pytest.raises(RuntimeError, match="d_model"):
        model(xp.zeros((3, 2, 6), dtype=xp.float32), xp.zeros((3, 2, 6), dtype=xp.float32))
    with pytest.warns(UserWarning, match="mismatched src_key_padding_mask and mask"):
        enc(xp.zeros((3, 2, 8), dtype=xp.float32),
            mask=nn.Transformer.generate_square_subsequent_mask(3),
            src_key_padding_mask=xp.zeros((2, 3), dtype=xp.bool))
    # a callable activation
    layer = nn.TransformerEncoderLayer(8, 2, 16, activation=F.silu, dropout=0.0)
    assert layer(xp.zeros((2, 1, 8), dtype=xp.float32)).shape == (2, 1, 8)


# --------------------------------------------------------------- small layers, dropout
@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make,shape", [
    (lambda m: m.Upsample(scale_factor=2, mode="nearest"), (1, 2, 3, 4)),
    (lambda m: m.Upsample(size=(5, 7), mode="bilinear"), (2, 2, 3, 4)),
    (lambda m: m.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True), (1, 1, 4, 4)),
    (lambda m: m.Upsample(scale_factor=3, mode="linear"), (2, 3, 4)),
    (lambda m: m.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3)),
    (lambda m: m.UpsamplingNearest2d(size=(4, 9)), (1, 2, 3, 3)),
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
])
def test_shape_layers_match_pytorch(make, shape, dtype):
    rng = np.random.default_rng(8)
    x, tx = _pair(rng, shape, dtype)
    y, ty = make(nn)(x), make(torch.nn)(tx)
    _close(y, ty, dtype)
    assert repr(make(nn)) == repr(make(torch.nn))
    w = rng.standard_normal(y.shape).astype(dtype)
    xp.sum(y * xp.asarray(w)).backward()
    (ty * torch.tensor(w)).sum().backward()
    _close(x.grad, tx.grad, dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kw,nargs", [
    ("CosineSimilarity", {"dim": 1}, 2), ("PairwiseDistance", {"p": 1.5}, 2),
    ("TripletMarginLoss", {"margin": 2.0, "swap": True}, 3),
    ("MarginRankingLoss", {"margin": 0.3}, 2), ("SoftMarginLoss", {}, 1),
    ("MultiLabelSoftMarginLoss", {"reduction": "sum"}, 1), ("PoissonNLLLoss", {"full": True}, 1),
    ("GaussianNLLLoss", {}, 1), ("HingeEmbeddingLoss", {"margin": 0.5}, 1),
])
def test_distance_and_loss_modules_match_pytorch(name, kw, nargs, dtype):
    rng = np.random.default_rng(9)
    pairs = [_pair(rng, (4, 5), dtype) for _ in range(nargs)]
    extra = {
        "MarginRankingLoss": lambda: [np.where(rng.uniform(size=(4, 5)) < 0.5, -1.0, 1.0)],
        "SoftMarginLoss": lambda: [np.where(rng.uniform(size=(4, 5)) < 0.5, -1.0, 1.0)],
        "HingeEmbeddingLoss": lambda: [np.where(rng.uniform(size=(4, 5)) < 0.5, -1.0, 1.0)],
        "MultiLabelSoftMarginLoss": lambda: [(rng.uniform(size=(4, 5)) < 0.5) * 1.0],
        "PoissonNLLLoss": lambda: [rng.poisson(2.0, (4, 5)) * 1.0],
        "GaussianNLLLoss": lambda: [rng.standard_normal((4, 5)), rng.uniform(0.5, 2, (4, 5))],
    }.get(name, lambda: [])()
    extra = [e.astype(dtype) for e in extra]
    args = [p[0] for p in pairs] + [xp.asarray(e) for e in extra]
    targs = [p[1] for p in pairs] + [torch.tensor(e) for e in extra]
    y, ty = getattr(nn, name)(**kw)(*args), getattr(torch.nn, name)(**kw)(*targs)
    _close(y, ty, dtype)
    xp.sum(y ** 2).backward()
    (ty ** 2).sum().backward()
    for a, b in pairs:
        _close(a.grad, b.grad, dtype)


@needs_torch
@pytest.mark.parametrize("cls,shape", [
    ("Dropout1d", (3, 4)), ("Dropout1d", (2, 3, 4)), ("Dropout1d", (5,)),
    ("Dropout2d", (4, 5)), ("Dropout2d", (3, 4, 5)), ("Dropout2d", (2, 3, 4, 5)),
    ("Dropout2d", (1, 2, 3, 4, 5)), ("Dropout2d", (6,)),
    ("Dropout3d", (3, 4, 5)), ("Dropout3d", (2, 3, 4, 5)), ("Dropout3d", (1, 2, 3, 4, 5)),
    ("Dropout3d", (1, 1, 2, 3, 4, 5)),
])
def test_channel_dropout_ranks_warn_and_fail_as_pytorch(cls, shape):
    def run(mod, x):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                y = mod(0.5)(x)
            except RuntimeError as e:
                return "error", str(e), [str(m.message) for m in w]
        return y, None, [str(m.message) for m in w]

    xp.manual_seed(0)
    y, err, warns = run(getattr(nn, cls), xp.ones(shape))
    ty, terr, twarns = run(getattr(torch.nn, cls), torch.ones(shape))
    assert warns == twarns
    assert (err is None) == (terr is None)
    if err is not None:
        assert err == terr
        return
    # the channels PyTorch drops together (the mask's shape): compare which axes
    # vary within a channel using a large channel count
    big = tuple(max(n, 6) for n in shape)
    for lib, mod, make in (("mt", nn, xp.ones), ("torch", torch.nn, torch.ones)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = np.asarray(getattr(mod, cls)(0.5)(make(big)))
        const_axes = [ax for ax in range(out.ndim)
                      if np.all(np.ptp(out, axis=ax) == 0) and out.shape[ax] > 1]
        if lib == "mt":
            ours_axes = const_axes
        else:
            assert ours_axes == const_axes


def test_packed_gru_and_pad_sequence_are_twice_differentiable():
    xp.manual_seed(0)
    gru = nn.GRU(2, 2, bidirectional=True, dtype=xp.float64)
    x = xp.tensor(np.random.default_rng(10).standard_normal((3, 2, 2)), requires_grad=True)

    def f(x):
        out, h = gru(R.pack_padded_sequence(x, [3, 1]))
        return R.pad_packed_sequence(out)[0], h

    assert gradcheck(lambda x: f(x)[0], (x,))
    assert gradgradcheck(lambda x: f(x)[1], (x,))
    assert gradgradcheck(lambda x: R.pad_sequence([x[0], x[1, :1]]) ** 2, (x,))


# ------------------------------------------------------------------------ CTC loss
@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout", ["padded", "concatenated", "unbatched"])
def test_ctc_loss_matches_pytorch_through_log_softmax(layout, reduction, dtype):
    rng = np.random.default_rng(11)
    T, N, C = 7, 3, 5
    if layout == "unbatched":
        logits, tlogits = _pair(rng, (T, C), dtype)
        targets = np.array([1, 3, 3])
        in_len, tg_len = 6, 3
        args = (xp.asarray(targets), xp.asarray(in_len), xp.asarray(tg_len))
        targs = (torch.tensor(targets), torch.tensor(in_len), torch.tensor(tg_len))
    else:
        logits, tlogits = _pair(rng, (T, N, C), dtype)
        padded = np.array([[1, 2, 2, 4], [3, 0, 0, 0], [4, 4, 1, 2]])
        tg_len, in_len = [3, 1, 4], [7, 5, 7]
        if layout == "padded":
            targets = padded
        else:
            targets = np.concatenate([padded[n, :tg_len[n]] for n in range(N)])
        args = (xp.asarray(targets), in_len, tg_len)
        targs = (torch.tensor(targets), in_len, tg_len)
    y = F.ctc_loss(F.log_softmax(logits, dim=-1), *args, blank=0, reduction=reduction)
    ty = TF.ctc_loss(TF.log_softmax(tlogits, dim=-1), *targs, blank=0, reduction=reduction)
    _close(y, ty, dtype)
    xp.sum(y * 1.5).backward()
    (ty * 1.5).sum().backward()
    _close(logits.grad, tlogits.grad, dtype)


@needs_torch
def test_ctc_loss_impossible_alignment_and_module():
    lp = F.log_softmax(xp.zeros((2, 1, 3)), dim=2)
    tlp = TF.log_softmax(torch.zeros((2, 1, 3), dtype=torch.float64), dim=2)
    tgt = [[1, 1]]           # needs 3 steps (a blank between the repeats)
    for zero in (False, True):
        y = F.ctc_loss(lp, xp.asarray(tgt), [2], [2], reduction="sum", zero_infinity=zero)
        ty = TF.ctc_loss(tlp, torch.tensor(tgt), [2], [2], reduction="sum", zero_infinity=zero)
        assert float(y) == float(ty)
    m, tm = nn.CTCLoss(blank=2, reduction="sum"), torch.nn.CTCLoss(blank=2, reduction="sum")
    _close(m(lp, xp.asarray([[1, 0]]), [2], [2]), tm(tlp, torch.tensor([[1, 0]]), [2], [2]),
           "float64")
