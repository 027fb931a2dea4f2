"""Checks, on the PyTorch installed here, the core answer of every question in QUESTIONS.md.

    .venv/bin/python tools/check_questions.py      one line per question; exit status 1 if an answer no longer holds

Each function below asserts the behaviour its question's answer states (the numbers are QUESTIONS.md's). A line
reads `ok` or `FAILED` with the reason. Nothing here is downloaded and nothing is written; it runs on the CPU.
"""
import copy
import dataclasses
import io
import logging
import pickle
import sys
import warnings
from multiprocessing.reduction import ForkingPickler

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

QUESTIONS = {}


def question(number, title):
    """Register the check of question `number`."""
    def register(check):
        QUESTIONS[number] = (title, check)
        return check
    return register


def raises(kind, run):
    """The message of the `kind` error run() raises; AssertionError if it raises none."""
    try:
        run()
    except kind as error:
        return str(error)
    raise AssertionError(f"expected a {kind.__name__}")


def warned(run):
    """The messages of the warnings run() gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    return [str(warning.message) for warning in caught]


def seeded(make):
    torch.manual_seed(0)
    return make()


def tiny_mlp():
    return seeded(lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)))


X = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))


# --- The finder of notebooks/14_graph_cut_clinic.ipynb, as defined there (it returns names only) ----------------------

def tensors_in(value):
    if torch.is_tensor(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    elif dataclasses.is_dataclass(value):
        value = [getattr(value, field.name) for field in dataclasses.fields(value)]
    if isinstance(value, (tuple, list)):
        return [tensor for item in value for tensor in tensors_in(item)]
    return []


def carries_graph(value):
    return any(tensor.requires_grad for tensor in tensors_in(value))


def cannot_carry_graph(value):
    tensors = tensors_in(value)
    return bool(tensors) and not any(tensor.is_floating_point() or tensor.is_complex() for tensor in tensors)


def find_graph_cut(model, *inputs, **kwargs):
    """The names of every module whose output carries no graph though its inputs or the parameters of what ran
    require grad, in the order they ran and joined by ', ' (a parent of a module so named left out, unless that
    module output only integers or booleans, a mask); None if none. Scripted modules are not hooked; buffers a
    forward pass changed are written back through .data, which moves no version counter."""
    if torch.is_inference_mode_enabled() or not torch.is_grad_enabled():
        return "grad mode off"
    if not carries_graph((inputs, kwargs)) and not any(p.requires_grad for p in model.parameters()):
        return "nothing requires grad"
    names = {module: name for name, module in model.named_modules()}
    reports, explaining, ran = [], set(), set()

    def look(module, args, keywords, output):
        ran.add(module)
        if any(part in explaining for part in module.modules()):
            return
        parameters = [p for part in module.modules() if part in ran for p in part.parameters(recurse=False)]
        fed = carries_graph((args, keywords)) or any(p.requires_grad for p in parameters)
        if fed and not carries_graph(output):
            reports.append(names[module])
            if not cannot_carry_graph(output):
                explaining.add(module)

    kept = [(buffer, buffer.clone()) for buffer in model.buffers()]
    handles = []
    try:
        for module in names:
            if not isinstance(module, torch.jit.ScriptModule):
                handles.append(module.register_forward_hook(look, with_kwargs=True))
        with torch.random.fork_rng():
            model(*inputs, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
        for buffer, value in kept:
            if not torch.equal(buffer, value):
                buffer.data.copy_(value)
    return ", ".join(reports) or None


# --- A. Graph cuts nobody wrote as detach() --------------------------------------------------------------------------

@question(1, "element 0 ...: the tensor given to backward() has no grad_fn; the finder names the module")
def element_0():
    model = tiny_mlp()
    with torch.no_grad():
        loss = model(X).sum()
    assert loss.grad_fn is None and "element 0 of tensors does not require grad" in raises(RuntimeError, loss.backward)
    frozen = tiny_mlp().requires_grad_(False)
    assert frozen(X).sum().grad_fn is None and find_graph_cut(frozen, X) == "nothing requires grad"


@question(2, "every .grad before a cut is None though the loss has a grad_fn; the finder lists every module without "
              "a graph: a mask meant to have none, then the real cut, also in the mask's parent; a rotary embedding is "
              "reported wrongly and hides its parent's cut")
def middle_cut():
    class Cut(nn.Module):
        def forward(self, h):
            return torch.tensor(h.tolist())

    model = seeded(lambda: nn.Sequential(nn.Linear(4, 8), Cut(), nn.Linear(8, 1)))
    loss = model(X).sum()
    loss.backward()
    assert loss.grad_fn is not None and model[0].weight.grad is None and model[2].weight.grad is not None
    assert find_graph_cut(model, X) == "1"

    class Mask(nn.Module):
        def forward(self, h):
            return h.abs().sum(dim=1) == 0

    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.mask, self.cut, self.head = nn.Linear(4, 8), Mask(), Cut(), nn.Linear(8, 1)

        def forward(self, x):
            h = self.embed(x)
            padding = self.mask(h)
            return self.head(self.cut(h)).masked_fill(padding[:, None], 0.0)

    masked = seeded(Masked)
    assert find_graph_cut(masked, X) == "mask, cut"  # the mask first: a finder that kept only it would miss the cut
    masked(X).sum().backward()
    assert masked.embed.weight.grad is None and masked.head.weight.grad is not None

    class MaskedMean(nn.Module):  # the real cut in the mask's parent's own code
        def __init__(self):
            super().__init__()
            self.embed, self.mask = nn.Linear(4, 8), Mask()

        def forward(self, x):
            h = self.embed(x)
            return torch.tensor([row.mean().item() for row in h]).masked_fill(self.mask(h), 0.0)

    own_code = seeded(lambda: nn.Sequential(MaskedMean(), nn.Identity()))
    assert own_code(X).grad_fn is None and find_graph_cut(own_code, X) == "0.mask, 0"

    class Rotary(nn.Module):  # as Llama's: cos and sin from a buffer under no_grad(); x gives only the dtype
        def __init__(self):
            super().__init__()
            self.register_buffer("frequencies", torch.tensor([1.0, 0.1, 0.01, 0.001]))

        @torch.no_grad()
        def forward(self, x, positions):
            angles = positions[:, None] * self.frequencies
            return angles.cos().to(x.dtype), angles.sin().to(x.dtype)

    class Rotated(nn.Module):
        def __init__(self, cut):
            super().__init__()
            self.proj, self.rotary, self.cut = nn.Linear(4, 4), Rotary(), cut

        def forward(self, x):
            h = self.proj(x)
            cos, sin = self.rotary(h, torch.arange(len(x), dtype=x.dtype))
            out = h * cos + h.flip(-1) * sin
            return torch.tensor(out.tolist()) if self.cut else out

    intact = seeded(lambda: Rotated(cut=False))
    intact(X).sum().backward()
    assert all(p.grad is not None for p in intact.parameters()) and find_graph_cut(intact, X) == "rotary"
    cut = seeded(lambda: Rotated(cut=True))
    assert cut(X).grad_fn is None and find_graph_cut(cut, X) == "rotary"  # the parent's own cut is not named


@question(3, "loss.requires_grad = True / torch.tensor(loss, requires_grad=True): a new leaf, nothing trains")
def requires_grad_on_loss():
    model = tiny_mlp()
    with torch.no_grad():
        loss = model(X).pow(2).mean()
    loss.requires_grad = True
    loss.backward()
    assert loss.is_leaf and all(p.grad is None for p in model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copied = torch.tensor(model(X).pow(2).mean(), requires_grad=True)
    copied.backward()
    assert copied.is_leaf and all(p.grad is None for p in model.parameters())


@question(4, "code run under no_grad()/inference_mode() (a decorator, a loop, no_grad in a forward) records nothing")
def code_under_no_grad():
    model = tiny_mlp()

    @torch.no_grad()
    def evaluate():
        return model(X).sum()

    assert evaluate().grad_fn is None
    with torch.inference_mode():
        assert model(X).sum().grad_fn is None

    class NoGradInside(nn.Linear):
        def forward(self, x):
            with torch.no_grad():
                return super().forward(x)

    wrapped = seeded(lambda: nn.Sequential(NoGradInside(4, 8), nn.Tanh(), nn.Linear(8, 1)))
    wrapped(X).sum().backward()
    assert wrapped[0].weight.grad is None and wrapped[2].weight.grad is not None
    assert find_graph_cut(wrapped, X) == "0"


@question(5, "grad modes nest: enable_grad() inside no_grad() records; inside inference_mode() it does not")
def nesting():
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad(), torch.enable_grad():
        assert (w * 2).grad_fn is not None
    with torch.inference_mode(), torch.enable_grad():
        assert torch.is_grad_enabled() and (w * 2).grad_fn is None
    with torch.inference_mode(), torch.inference_mode(False):
        assert (w * 2).grad_fn is not None
    torch.no_grad()  # called, not entered: changes nothing
    assert torch.is_grad_enabled() and (w * 2).grad_fn is not None


@question(6, "torch.tensor / torch.as_tensor / torch.Tensor of a list of tensors drop the graph; stack and cat keep it")
def constructors():
    a, b = torch.tensor(1.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.tensor([a * 2, b]).grad_fn is None and torch.as_tensor([a * 2, b]).grad_fn is None
        assert not torch.Tensor([a.item(), b.item()]).requires_grad
    assert torch.stack([a * 2, b]).grad_fn is not None and torch.cat([a[None], b[None]]).grad_fn is not None
    assert torch.as_tensor(a * 2).grad_fn is not None  # one tensor: returned as it is


@question(7, ".item() and .tolist() give Python numbers: constants to autograd; .item() needs no detach() first")
def item():
    a, b = torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    loss = (a * 2).item() * b
    loss.backward()
    assert a.grad is None and b.grad.item() == 4.0
    assert isinstance((a * 2).item(), float) and isinstance((a * torch.ones(2)).tolist()[0], float)
    assert (a * 2).item() == (a * 2).detach().item()


@question(8, "NumPy inside a loss: .detach().numpy() then torch.from_numpy gives a leaf without history")
def numpy_round_trip():
    x = torch.randn(3, requires_grad=True)
    back = torch.from_numpy((x * 2).detach().numpy())
    assert back.is_leaf and not back.requires_grad
    assert "Can't call numpy() on Tensor that requires grad" in raises(RuntimeError, lambda: (x * 2).numpy())


@question(9, "Can't call numpy() on Tensor that requires grad: detach() first (notebook 11)")
def numpy_refuses():
    x = torch.randn(3, requires_grad=True)
    assert "Can't call numpy()" in raises(RuntimeError, lambda: x.numpy())
    assert x.detach().numpy().shape == (3,)


@question(10, ".to()/.cuda() are recorded (no cut), but the result is not a leaf: its .grad stays None; to the same "
               "device and dtype, .to() returns the tensor itself")
def to_device():
    w = torch.randn(3, requires_grad=True)
    moved = w.to(torch.float64)
    assert type(moved.grad_fn).__name__ == "ToCopyBackward0" and not moved.is_leaf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (moved * 2).sum().backward()
        assert moved.grad is None and w.grad is not None
    assert not w.to(torch.long).requires_grad  # an integer dtype does cut
    assert w.to(torch.float32) is w and w.to("cpu") is w and w.is_leaf  # nothing to move: the same leaf


@question(11, "argmax and indices have no gradient; indexing by them passes one to the values picked")
def argmax():
    x = torch.tensor([0.2, 1.5, -0.3], requires_grad=True)
    assert not x.argmax().requires_grad and not x.max(0).indices.requires_grad and not x.argsort().requires_grad
    assert x.max(0).values.grad_fn is not None
    picked = x[x.argmax()]
    assert torch.autograd.grad(picked, x)[0].tolist() == [0.0, 1.0, 0.0]


@question(12, "round, floor and sign keep the graph with a zero gradient")
def zero_derivative():
    x = torch.tensor([0.3, 1.7, -0.6], requires_grad=True)
    for op in (torch.round, torch.floor, torch.sign):
        out = op(x)
        assert out.grad_fn is not None and not torch.autograd.grad(out.sum(), x)[0].any()


@question(13, "comparisons and masks are boolean: no gradient, even after .float()")
def comparisons():
    x = torch.tensor([0.3, -1.0], requires_grad=True)
    for out in (x > 0, torch.ge(x, 0), (x > 0).float()):
        assert not out.requires_grad and out.grad_fn is None


@question(14, "only floating point and complex tensors can require gradients")
def integer_requires_grad():
    index = torch.tensor([0.2, 1.5], requires_grad=True).argmax()

    def set_flag():
        index.requires_grad = True

    assert "only Tensors of floating point and complex dtype can require gradients" in raises(RuntimeError, set_flag)
    assert "floating point" in raises(RuntimeError, lambda: torch.tensor([1], requires_grad=True))


@question(15, "an input's .grad is None unless it requires grad before the forward pass (saliency maps)")
def input_gradient():
    model = tiny_mlp()
    image = X.clone()
    model(image).sum().backward()
    assert image.grad is None
    image.requires_grad_()
    model(image).sum().backward()
    assert image.grad is not None and image.grad.shape == image.shape


@question(16, "reentrant checkpoint with no input requiring grad: a warning, and the block gets no gradient")
def checkpoint_frozen_inputs():
    torch.manual_seed(0)
    embed = nn.Linear(4, 8).requires_grad_(False)
    block, head = nn.Linear(8, 8), nn.Linear(8, 1)
    messages = warned(lambda: head(checkpoint(block, embed(X), use_reentrant=True)).sum().backward())
    assert any("None of the inputs have requires_grad=True" in m for m in messages) and block.weight.grad is None
    head(checkpoint(block, embed(X), use_reentrant=False)).sum().backward()
    assert block.weight.grad is not None
    block.zero_grad()
    head(checkpoint(block, embed(X).requires_grad_(), use_reentrant=True)).sum().backward()
    assert block.weight.grad is not None


@question(17, "nn.Parameter(h) makes a new leaf: the layers that made h get no gradient (a cut that keeps a grad_fn)")
def parameter_rewrap():
    first = seeded(lambda: nn.Linear(4, 4))
    rewrapped = nn.Parameter(first(X))
    out = (rewrapped * 2).sum()
    out.backward()
    assert out.grad_fn is not None and rewrapped.is_leaf and rewrapped.grad is not None and first.weight.grad is None


# --- B. torch.autograd.grad and gradients of gradients ----------------------------------------------------------------

@question(18, "autograd.grad with an unused input: an error; allow_unused=True gives None, materialize_grads zeros")
def unused_input():
    w, unused = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    loss = (w * 3).sum()
    message = raises(RuntimeError, lambda: torch.autograd.grad(loss, [w, unused], retain_graph=True))
    assert "appears to not have been used in the graph" in message and "allow_unused=True" in message
    assert torch.autograd.grad(loss, [w, unused], retain_graph=True, allow_unused=True)[1] is None
    zeros = torch.autograd.grad(loss, [w, unused], allow_unused=True, materialize_grads=True)[1]
    assert torch.equal(zeros, torch.zeros(3))


@question(19, "a gradient penalty needs create_graph=True; it doubles what is saved here")
def gradient_penalty():
    critic = tiny_mlp()
    points = X.clone().requires_grad_()
    slope, = torch.autograd.grad(critic(points).sum(), points)
    assert slope.grad_fn is None
    assert "element 0" in raises(RuntimeError, lambda: (slope.norm(dim=1) - 1).pow(2).mean().backward())
    slope, = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
    (slope.norm(dim=1) - 1).pow(2).mean().backward()
    assert critic[0].weight.grad is not None and critic[0].weight.grad.any()
    counts = {}
    for flag in (False, True):
        packed = []
        with torch.autograd.graph.saved_tensors_hooks(lambda t, packed=packed: packed.append(1) or t, lambda t: t):
            torch.autograd.grad(critic(points).sum(), points, create_graph=flag)
        counts[flag] = len(packed)
    assert counts[True] > counts[False]


@question(20, "backward(create_graph=True) warns of a reference cycle: its .grad has a grad_fn")
def create_graph_warning():
    w = torch.randn(3, requires_grad=True)
    messages = warned(lambda: (w ** 3).sum().backward(create_graph=True))
    assert any("create a reference cycle" in m for m in messages)  # given once per process: this is the first
    assert w.grad.grad_fn is not None
    w.grad = None
    g, = torch.autograd.grad((w ** 3).sum(), w, create_graph=True)
    assert g.grad_fn is not None and w.grad is None


@question(21, "several losses on one graph: a second backward() needs retain_graph; backward of the sum is the same")
def several_losses():
    shared = seeded(lambda: nn.Linear(3, 3))

    def two():
        h = shared(torch.ones(2, 3)).tanh()
        return h.sum(), h.pow(2).sum()

    first, second = two()
    first.backward()
    assert "backward through the graph a second time" in raises(RuntimeError, second.backward)
    shared.zero_grad()
    first, second = two()
    first.backward(retain_graph=True)
    second.backward()
    separately = shared.weight.grad.clone()
    shared.zero_grad()
    sum(two()).backward()
    assert torch.allclose(shared.weight.grad, separately)


@question(22, "backward() of a non-scalar needs a gradient argument (not a cut; left out)")
def non_scalar():
    w = torch.ones(3, requires_grad=True)
    assert "grad can be implicitly created only for scalar outputs" in raises(RuntimeError, (w * 2).backward)
    (w * 2).backward(torch.ones(3))
    assert torch.equal(w.grad, torch.full((3,), 2.0))


# --- C. Hooks --------------------------------------------------------------------------------------------------------

@question(23, "a full backward hook, then ReLU(inplace=True): 'Output 0 of BackwardHookFunction is a view ...'")
def full_backward_hook_inplace():
    net = seeded(lambda: nn.Sequential(nn.Linear(4, 4), nn.ReLU(inplace=True)))
    net[0].register_full_backward_hook(lambda module, grad_input, grad_output: None)
    inputs = X.clone().requires_grad_()
    message = raises(RuntimeError, lambda: net(inputs))
    assert "BackwardHookFunction" in message and "is a view and is being modified inplace" in message
    net[1].inplace = False
    net(inputs).sum().backward()
    assert net[0].weight.grad is not None


@question(24, "a tensor hook's return value replaces the gradient, in .grad too, which the optimizer then uses")
def tensor_hook_return():
    p = nn.Parameter(torch.ones(2))
    p.register_hook(lambda grad: grad * 100)
    optimizer = torch.optim.SGD([p], lr=0.01)
    (p * 1).sum().backward()
    assert torch.equal(p.grad, torch.full((2,), 100.0))
    optimizer.step()
    assert torch.allclose(p.detach(), torch.zeros(2), atol=1e-6)


@question(25, "cannot register a hook on a tensor that doesn't require gradient (under no_grad, or frozen)")
def hook_without_graph():
    model = tiny_mlp()
    with torch.no_grad():
        out = model(X)
    assert "cannot register a hook" in raises(RuntimeError, lambda: out.register_hook(lambda grad: grad))
    assert model(X).register_hook(lambda grad: grad) is not None


@question(26, "a module that keeps its output keeps that graph (its nodes) alive; keep out.detach()")
def kept_output():
    class Keep(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 2)

        def forward(self, x):
            self.last = self.lin(x)
            return self.last

    keep = seeded(Keep)
    keep(X).sum().backward()
    assert keep.last.grad_fn is not None


@question(27, "code inside a gradient hook runs with grad mode off (no create_graph): one thread, left out")
def hook_grad_mode():
    w = torch.ones(3, requires_grad=True)
    seen = []
    out = w * 2
    out.register_hook(lambda grad: seen.append(torch.is_grad_enabled()))
    out.sum().backward()
    assert seen == [False]


@question(28, "saved-tensor hooks: unpack decides what backward uses, silently (few learner threads, left out)")
def saved_tensor_hooks():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 2):
        y = x * x
    y.sum().backward()
    assert torch.equal(x.grad, torch.tensor([4.0, 8.0]))  # 2 · (2x) instead of 2x: no error


# --- D. In-place writes refused for other reasons than a saved tensor -------------------------------------------------

@question(29, "A view was created in no_grad mode and is being modified inplace with grad mode enabled; only where "
               "the write would be recorded")
def no_grad_view():
    hidden = seeded(lambda: nn.Linear(4, 4))(X)
    with torch.no_grad():
        view = hidden[:, :2]
    assert "A view was created in no_grad mode" in raises(RuntimeError, lambda: view.mul_(2))
    with torch.no_grad():
        hidden[:, :2].mul_(2)  # view and write in the same mode: allowed
    plain = torch.zeros(4)
    with torch.no_grad():
        plain_view = plain[:2]
    plain_view.add_(1)  # nothing requires grad, nothing to record: allowed
    assert "A view was created in no_grad mode" in raises(RuntimeError, lambda: plain_view.mul_(hidden[0, :2]))
    grad_mode_view = hidden[:, :2]
    with torch.no_grad():
        grad_mode_view.mul_(2)  # taken with grad mode on, written under no_grad(): allowed


@question(30, "Inplace update to inference tensor outside InferenceMode: written, then refused (through .data or "
               "detach(): written, nothing raised); compute out of place instead, or update a clone()")
def inference_inplace():
    def test_total():
        with torch.inference_mode():
            total = torch.zeros(())
            total += 3.0
        return total

    total = test_total()

    def divide():
        total.div_(3)

    assert "Inplace update to inference tensor outside InferenceMode" in raises(RuntimeError, divide)
    assert total.item() == 1.0 and (total / 3).item() != 1.0  # divided already: `total / 3` after it divides twice
    total = test_total()
    average, of_clone = total / 3, total.clone().div_(3)
    assert average.item() == of_clone.item() == 1.0 and total.item() == 3.0
    assert not average.is_inference() and not of_clone.is_inference()
    total = test_total()
    total.data.div_(3)  # written, nothing raised
    total.detach().div_(3)  # the same
    assert abs(total.item() - 1 / 3) < 1e-6  # 3 divided twice by 3


@question(31, "Inference tensors cannot be saved for backward: clone them, or use no_grad() (notebook 08)")
def inference_saved():
    w = torch.ones(3, requires_grad=True)
    with torch.inference_mode():
        t = torch.ones(3)
    assert "Inference tensors cannot be saved for backward" in raises(RuntimeError, lambda: (t * w).sum())
    (t.clone() * w).sum().backward()
    assert w.grad is not None


@question(32, "a custom Function's view outputs refuse in-place writes; an input returned as-is still calls backward")
def function_views():
    class FirstHalf(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:, :2]

        @staticmethod
        def backward(ctx, grad):
            return torch.cat([grad, torch.zeros_like(grad)], dim=1)

    hidden = seeded(lambda: nn.Linear(4, 4))(X)
    message = raises(RuntimeError, lambda: FirstHalf.apply(hidden).mul_(2))
    assert "is a view and is being modified inplace" in message and "custom Function" in message
    assert FirstHalf.apply(hidden).clone().mul_(2).grad_fn is not None


# --- E. Graphs meeting the rest of the program ------------------------------------------------------------------------

@question(33, "deepcopy refuses a non-leaf tensor, also inside a module; pickle and torch.save keep values, drop graph")
def deepcopy_non_leaf():
    class Keep(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 2)

        def forward(self, x):
            self.last = self.lin(x)
            return self.last

    keep = seeded(Keep)
    copy.deepcopy(keep)  # before the first forward: fine
    keep(X)
    message = raises(RuntimeError, lambda: copy.deepcopy(keep))
    assert "Only Tensors created explicitly by the user (graph leaves)" in message
    restored = pickle.loads(pickle.dumps(keep.last))
    saved = io.BytesIO()
    torch.save(keep.last, saved)
    saved.seek(0)
    loaded = torch.load(saved)
    assert restored.is_leaf and restored.grad_fn is None and loaded.is_leaf and torch.equal(restored, loaded)
    keep.last = keep.last.detach()
    copy.deepcopy(keep)


@question(34, "a non-leaf tensor that requires grad cannot cross processes ('Cowardly refusing to serialize')")
def multiprocessing_refuses():
    out = seeded(lambda: nn.Linear(4, 2))(X)
    assert "Cowardly refusing to serialize non-leaf tensor" in raises(RuntimeError, lambda: ForkingPickler.dumps(out))
    ForkingPickler.dumps(out.detach())


@question(35, "a tensor computed once from parameters, reused each step: 'backward through the graph a second time'")
def built_once():
    embedding = seeded(lambda: nn.Linear(3, 4))
    optimizer = torch.optim.SGD(embedding.parameters(), lr=0.1)
    positions = embedding(torch.eye(3))

    def step():
        positions.sum().backward()
        optimizer.step()

    step()
    assert "a second time" in raises(RuntimeError, step)
    assert not torch.allclose(positions, embedding(torch.eye(3)))  # and its values are stale


@question(36, "vmap over .item(): refused; under torch.func.grad, .item() is a constant (left out)")
def vmap_item():
    from torch.func import grad, vmap
    message = raises(RuntimeError, lambda: vmap(lambda x: x * x.sum().item())(torch.ones(2, 3)))
    assert "calling .item() on a Tensor" in message
    assert torch.equal(grad(lambda x: (x * x.sum().item()).sum())(torch.ones(3)), torch.full((3,), 3.0))


@question(37, "torch.compile: .item() is a graph break, not an autograd cut: the gradient is unchanged (left out)")
def compile_item():
    import torch._dynamo
    logging.getLogger("torch._dynamo").setLevel(logging.ERROR)  # the graph-break warning is what is measured

    def scaled(x):
        return (x * x.sum().item()).sum()

    explanation = torch._dynamo.explain(scaled)(torch.ones(3))
    assert explanation.graph_break_count >= 1
    x = torch.ones(3, requires_grad=True)
    torch.compile(scaled, backend="eager")(x).backward()
    compiled = x.grad.clone()
    x.grad = None
    scaled(x).backward()
    assert torch.equal(compiled, x.grad)
    torch._dynamo.reset()


@question(38, "zero_grad() sets .grad to None; `p.grad += ...` fails and step() skips such parameters")
def zero_grad_none():
    model = tiny_mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model(X).sum().backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())

    def add():
        model[0].weight.grad += 1

    raises(TypeError, add)
    before = model[0].weight.detach().clone()
    optimizer.step()
    assert torch.equal(model[0].weight, before)
    model(X).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    assert not model[0].weight.grad.any()


# --- F. Stop-gradient on purpose --------------------------------------------------------------------------------------

@question(39, "straight-through estimator x + (f(x) - x).detach(): the value of f(x), the gradient of x")
def straight_through():
    raw = torch.tensor([0.3, 1.7, -0.6], requires_grad=True)
    rounded = raw + (raw.round() - raw).detach()
    rounded.sum().backward()
    assert torch.equal(rounded, raw.round()) and torch.equal(raw.grad, torch.ones(3))


@question(40, "an EMA teacher: frozen, updated under no_grad(); its output needs no detach() when its input does not "
               "require grad")
def ema_teacher():
    student = seeded(lambda: nn.Linear(4, 1))
    teacher = copy.deepcopy(student).requires_grad_(False)
    assert not teacher(X).requires_grad
    F.mse_loss(student(X), teacher(X)).backward()
    assert all(p.grad is None for p in teacher.parameters()) and student.weight.grad is not None
    with torch.no_grad():
        for t, s in zip(teacher.parameters(), student.parameters(), strict=True):
            t.lerp_(s, 0.01)
    trainable = copy.deepcopy(student)
    raises(RuntimeError, lambda: trainable.weight.mul_(0.99))  # a leaf that requires grad, outside no_grad()
    stem = seeded(lambda: nn.Linear(4, 4))  # a trainable stem that feeds both networks
    assert teacher(stem(X)).requires_grad
    with torch.no_grad():
        student.weight.add_(0.5)  # the student apart from the teacher, so that the teacher's term has a gradient
    F.mse_loss(student(stem(X)), teacher(stem(X))).backward()
    through_teacher = stem.weight.grad.clone()
    stem.zero_grad()
    F.mse_loss(student(stem(X)), teacher(stem(X)).detach()).backward()
    assert not torch.allclose(through_teacher, stem.weight.grad)  # there, detach() changes the stem's gradient


@question(41, "gradient reversal: a Function whose backward negates; a Module's backward() method is never called")
def gradient_reversal():
    class Reverse(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.view_as(x)

        @staticmethod
        def backward(ctx, grad):
            return -grad

    class AsIs(Reverse):
        @staticmethod
        def forward(ctx, x):
            return x

    class ModuleBackward(nn.Module):
        def forward(self, x):
            return x

        def backward(self, grad):
            raise AssertionError("called")

    for function in (Reverse, AsIs):
        x = torch.ones(3, requires_grad=True)
        function.apply(x * 1).sum().backward()
        assert torch.equal(x.grad, -torch.ones(3))
    x = torch.ones(3, requires_grad=True)
    ModuleBackward()(x * 1).sum().backward()
    assert torch.equal(x.grad, torch.ones(3))


@question(42, "VQ-VAE: the codebook loss detaches the encoder's output, the commitment loss the code")
def vq_vae():
    encoded = torch.tensor([0.2, 0.9], requires_grad=True)
    code = torch.tensor([0.0, 1.0], requires_grad=True)
    (encoded.detach() - code).pow(2).sum().backward()
    assert encoded.grad is None and code.grad is not None
    code.grad = None
    (encoded - code.detach()).pow(2).sum().backward()
    assert code.grad is None and encoded.grad is not None


@question(43, "a detached term in a loss keeps its value and loses its gradient; detached whole, it trains nothing")
def detached_term():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    target = w * 3
    loss = (w * 2 - target.detach()).pow(2).sum()
    attached = (w * 2 - target).pow(2).sum()
    assert torch.equal(loss, attached)
    assert not torch.equal(torch.autograd.grad(loss, w)[0], torch.autograd.grad(attached, w)[0])
    assert not (w * 2 - target).pow(2).sum().detach().requires_grad


def main():
    failed = 0
    for number, (title, check) in sorted(QUESTIONS.items()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the checks that measure a warning record it themselves
                check()
            print(f"Q{number:02} ok      {title}")
        except Exception as error:  # an answer that no longer holds, whatever PyTorch raised instead
            failed += 1
            print(f"Q{number:02} FAILED  {title}: {type(error).__name__}: {error}")
    print(f"{len(QUESTIONS) - failed} of {len(QUESTIONS)} answers hold on PyTorch {torch.__version__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
