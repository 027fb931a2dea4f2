"""The two cells at the top of every notebook, kept here once.

tools/stamp.py copies each `# %% <title>` section below into every notebook as a folded code cell
that starts with `# @title <title>`; a test fails when a notebook's copy differs from this file.
Edit here, then `./run.sh stamp` and `./run.sh record`. Each notebook must run alone (Colab opens
one file), so these cells may import only torch, torchviz, graphviz, IPython and the standard library.
"""

# %% Set-up: install what Colab lacks, pick the device, say which PyTorch runs
# NBVAL_IGNORE_OUTPUT
# (the tests do not compare this cell's output: it names this machine's PyTorch build and device)
import os
import subprocess
import sys

import torch

if "google.colab" in sys.modules:  # Colab has PyTorch and graphviz, but not torchviz
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "torchviz==0.0.3"], check=True)

RECORDED_WITH = "2.13.0"  # the saved outputs come from this PyTorch
VERIFIED_WITH = ("2.6.0", "2.9.1", "2.10.0", "2.11.0", "2.12.0", "2.13.0", "2.14.1", "2.15.0")  # run to the end
device = torch.device(os.environ.get("TORCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))
print(f"PyTorch {torch.__version__} on {device}.")
if device.type == "cpu":
    print("No GPU in use: every lesson runs on the CPU, with the same results.")
if torch.__version__.split("+")[0] != RECORDED_WITH:
    print(f"The saved outputs come from PyTorch {RECORDED_WITH}. This series runs to the end on "
          f"{', '.join(VERIFIED_WITH)}; on others some error messages read differently. "
          f"For the exact outputs: pip install torch=={RECORDED_WITH}")

# %% Helpers: show expected errors, check claims, draw graphs and memory
import base64
import contextlib
import html
import re
import shutil
import warnings

from IPython.display import display

try:
    import graphviz
    import torchviz
except ImportError as missing:
    graphviz = torchviz = None
    print(f"{missing.name} is missing, so no graph is drawn: pip install torchviz graphviz")

STRICT = os.environ.get("SERIES_STRICT") == "1"  # the tests set it: a failed check then stops the run


class CheckFailed(AssertionError):
    """A claim of the lesson that did not hold here (raised only under SERIES_STRICT=1)."""


def _did_not_hold(what):
    print(f"✗ {what}\n  This is PyTorch {torch.__version__}; the series was verified on {', '.join(VERIFIED_WITH)}.")
    if STRICT:
        raise CheckFailed(what)


def check(claim, holds):
    """Print ✓ and the claim when it holds here; otherwise say what did not hold, and on which PyTorch."""
    if holds:
        print(f"✓ {claim}")
    else:
        _did_not_hold(f"{claim}: not so here")


class outcome(contextlib.AbstractContextManager):
    """`with outcome() as run: ...` runs the block and prints what happened, whatever it is: the error it raised
    (`Kind: message`), or `no error`. The notebook runs on either way; `run.error` keeps the exception, or None."""

    expected = None  # expect_error sets the kind of error the block must raise

    def __enter__(self):
        self.error = None
        return self

    def __exit__(self, kind, error, traceback):
        if error is not None and (isinstance(error, CheckFailed) or not isinstance(error, Exception)):
            return False  # a failed check under the tests, KeyboardInterrupt and the like: stop, as they should
        self.error = error
        print("no error" if error is None else f"{type(error).__name__}: {error}")
        if self.expected is not None and not isinstance(error, self.expected):
            _did_not_hold(f"expected a {self.expected.__name__}, got {type(error).__name__ if error else 'none'}")
        return True


class expect_error(outcome):
    """`with expect_error(RuntimeError): ...` shows the error the block raises, as `outcome()` does, where the lesson
    has already said that it raises. A block that raises nothing, or another kind of error, is a failed check."""

    def __init__(self, kind):
        self.expected = kind


@contextlib.contextmanager
def expect_warning(kind):
    """`with expect_warning(UserWarning): ...` shows the warnings of that kind the block gives, as lines of output
    instead of on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    shown = [warning for warning in caught if issubclass(warning.category, kind)]
    if not shown:
        _did_not_hold(f"expected a {kind.__name__}, but the code gave none")
    for warning in shown:  # without the "(Triggered internally at <a path in PyTorch's build>)" some end with
        message = re.sub(r"\s*\(Triggered internally at .*\)$", "", str(warning.message), flags=re.DOTALL)
        print(f"{warning.category.__name__}: {message}")


def symptom(what, holds):
    """A silent symptom (no error, no warning) that the code shows, once the lesson has said so: prints
    `⚠ symptom: what` when it does, or says that it did not, as a failed check does."""
    if holds:
        print(f"⚠ symptom: {what}")
    else:
        _did_not_hold(f"expected the symptom '{what}', but it did not show")


def make_dot(tensor, params, show_saved=False):
    """torchviz.make_dot: the graph of how `tensor` was computed, drawn forward (arrows run from inputs to
    what was computed from them; backward() walks them the other way). Its nodes are renamed n0, n1, ... in
    visiting order, where torchviz names them by id(), which changes from run to run. `graph.alt` says in
    words what it shows, read from the same autograd graph."""
    graph = torchviz.make_dot(tensor, params=params, show_saved=show_saved)
    names = {}
    graph.body = [re.sub(r"\b\d{10,}\b", lambda m: names.setdefault(m.group(), f"n{len(names)}"), line)
                  for line in graph.body]
    graph.alt = _graph_in_words(tensor, params, show_saved)
    return graph


def _shape(tensor):
    return "a number" if tensor.dim() == 0 else "shape (" + ", ".join(map(str, tensor.shape)) + ")"


def _graph_in_words(tensor, params, show_saved):
    """The autograd graph behind `tensor` in words: its paths from the leaves to the result, as torchviz draws them,
    and, with show_saved, what each node saved."""
    if tensor.grad_fn is None:
        return f"Autograd graph of a tensor of {_shape(tensor)}: no backward node, only the tensor itself."
    nodes, edges, todo = [], [], [tensor.grad_fn]  # edges run forward: (from, to), as torchviz's arrows do
    while todo:
        node = todo.pop(0)
        if node in nodes:
            continue
        nodes.append(node)
        for parent, _ in node.next_functions:
            if parent is not None:
                edges.append((parent, node))
                todo.append(parent)
    nodes.reverse()  # from the leaves towards the result
    kinds = [type(node).__name__ for node in nodes]

    def name(node):
        if node == "result":
            return f"the result ({_shape(tensor)})"
        if type(node).__name__ == "AccumulateGrad":
            named = [key for key, value in params.items() if value is node.variable]
            return f"AccumulateGrad of {named[0] if named else 'a leaf of ' + _shape(node.variable)}"
        if kinds.count(type(node).__name__) > 1:  # several nodes of one kind: numbered from the leaves
            return f"{type(node).__name__} #{[n for n in nodes if type(n) is type(node)].index(node) + 1}"
        return type(node).__name__

    edges.append((tensor.grad_fn, "result"))

    def passing(node):  # a node with one arrow in and one out lies inside a path, not at its start
        return node != "result" and [b is node for _, b in edges].count(True) == 1 \
            and [a is node for a, _ in edges].count(True) == 1

    paths = []
    for start, end in sorted(edges, key=lambda edge: nodes.index(edge[0])):
        if passing(start):
            continue
        path = [start, end]
        while passing(path[-1]):
            path.append(next(b for a, b in edges if a is path[-1]))
        paths.append(" → ".join(map(name, path)))
    saved = [f"{name(node)} saved {attribute.removeprefix('_saved_')} ({_shape(getattr(node, attribute))})"
             for node in nodes if show_saved for attribute in sorted(dir(node))
             if attribute.startswith("_saved_") and isinstance(getattr(node, attribute), torch.Tensor)]
    return ("Autograd graph, arrows drawn forward (backward() walks them the other way): " + "; ".join(paths) + "."
            + "".join(f" {line}." for line in saved))


def show_graph(graph, alt=None):
    """Draw a graph, with `alt` (else `graph.alt`) as its text alternative. The drawing also carries its DOT
    source as plain text, which the tests compare."""
    alt = alt or getattr(graph, "alt", None)
    if not alt:
        raise ValueError("show_graph needs a text alternative: show_graph(graph, alt='what the picture shows')")
    if graphviz is None or not shutil.which("dot"):
        print("No graph drawn: graphviz's `dot` program is missing. Install the graphviz package (apt-get install "
              "graphviz, brew install graphviz or conda install graphviz), then run this cell again.\n"
              f"What it would show: {alt}")
        return
    svg = graph.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML prolog and the comment naming graphviz's version
    # JupyterLab and the book show the <img> of text/html, which carries the text alternative, even in a notebook
    # JupyterLab does not trust yet.
    img = f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
    display({"image/svg+xml": svg, "text/html": img, "text/plain": graph.source}, raw=True)


def _values(tensor, most=6):
    flat = tensor.detach().flatten().cpu().tolist()
    shown = [f"{value:.4f}" if isinstance(value, float) else str(value) for value in flat[:most]]
    return "[" + ", ".join(shown) + (", …" if len(flat) > most else "") + "]"


def _version(tensor):
    try:
        return tensor._version
    except RuntimeError:  # an inference tensor has no version counter
        return None


def _whole_storage(tensor):
    """A new tensor over all of `tensor`'s memory, to read its values: a view may show only part of it."""
    with torch.no_grad():
        return tensor.new_empty(0).set_(tensor.untyped_storage())


def _bump(tensor):
    try:
        torch._C._increment_version([tensor])
    except TypeError:  # PyTorch before 2.8 took a single tensor here
        torch._C._increment_version(tensor)


def _set_versions(tensors, versions):
    try:
        torch._C._autograd._unsafe_set_version_counter(tuple(tensors), tuple(versions))
    except TypeError:  # PyTorch before 2.6 set one tensor at a time
        for tensor, version in zip(tensors, versions, strict=True):
            torch._C._autograd._unsafe_set_version_counter(tensor, version)


def _counter_groups(tensors):
    """Names of tensors grouped by version counter. PyTorch has no public way to ask which tensors share a
    counter, so this measures it: bump one tensor's counter, see whose `_version` moved with it, then set
    every counter back. The lesson's tensors end as they were."""
    versions = {name: _version(tensor) for name, tensor in tensors.items()}
    groups, placed = [], set()
    for name, tensor in tensors.items():
        if name in placed or versions[name] is None:
            continue
        _bump(tensor)
        group = [other for other in tensors if versions[other] is not None
                 and _version(tensors[other]) != versions[other]]
        _set_versions([tensors[other] for other in group], [versions[other] for other in group])
        groups.append(group)
        placed.update(group)
    return groups


class MemoryPicture:
    """A picture of named tensors: the memory each reads, the version counters they share, and what
    their backward nodes saved.

    Made right after the forward pass, it remembers what each backward node saved then: the saved
    tensor's version and values. `draw()` reads everything else from the tensors when it is called."""

    def __init__(self, **tensors):
        self.tensors = dict(tensors)
        self.saved = []  # (node, attribute, saved tensor, version then, values then)
        todo = [tensor.grad_fn for tensor in tensors.values() if tensor.grad_fn is not None]
        self.nodes = []
        while todo:
            node = todo.pop(0)
            if node is None or node in self.nodes or type(node).__name__ == "AccumulateGrad":
                continue
            self.nodes.append(node)
            todo += [parent for parent, _ in node.next_functions]
            for attribute in sorted(name for name in dir(node) if name.startswith("_saved_")):
                saved = getattr(node, attribute)
                if isinstance(saved, torch.Tensor):
                    self.saved.append((node, attribute, saved, _version(saved), saved.detach().clone()))

    def draw(self, title=None, **more):
        """The picture now, with `more` named tensors added to it; `graph.alt` says in words what it shows."""
        tensors = {**self.tensors, **more}
        prefix = re.sub(r"\W+", "_", title).strip("_") + "_" if title else ""
        graph = graphviz.Digraph(name=f"cluster_{prefix}" if title else None)
        graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", label=title or "", labelloc="t", labeljust="l")
        graph.attr("node", fontname="Helvetica", fontsize="11", shape="box", style="rounded,filled")
        graph.attr("edge", fontname="Helvetica", fontsize="10")
        graph.kinds = ["tensor", "memory"]  # what the legend explains: only what this picture shows
        named = {tensor.untyped_storage().data_ptr() for tensor in tensors.values()}
        numbers, memory_words = {}, []

        def memory(tensor):  # one box per storage, numbered in order of first appearance
            key = tensor.untyped_storage().data_ptr()
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                note = "" if key in named else "\n(no tensor named here reads it)"
                values = _values(_whole_storage(tensor))
                graph.node(f"{prefix}memory{numbers[key]}", f"memory {numbers[key]}\n{values}{note}",
                           fillcolor="lightyellow", fontname="Courier")
                memory_words.append(f"memory {numbers[key]} holds {values}" + note.replace("\n", " "))
            return f"{prefix}memory{numbers[key]}"

        counter_words, tensor_words, node_words = [], [], []
        for group_number, group in enumerate(_counter_groups(tensors), start=1):
            with graph.subgraph(name=f"cluster_{prefix}counter{group_number}") as box:
                shared = len(group) > 1
                box.attr(label="one version counter" if shared else "", style="dashed" if shared else "invis",
                         fontsize="9", color="grey40")
                graph.kinds += ["counter"] if shared else []
                counter_words += [" and ".join(group) + " share one version counter"] if shared else []
                for name in group:
                    box.node(f"{prefix}tensor_{name}", f"{name}\nversion {_version(tensors[name])}",
                             fillcolor="lightblue")
        for name, tensor in tensors.items():
            version = _version(tensor)
            if version is None:
                graph.node(f"{prefix}tensor_{name}", f"{name}\n(no version counter)", fillcolor="lightblue")
            view = tensor._base is not None
            graph.edge(f"{prefix}tensor_{name}", memory(tensor), label="a view" if view else "")
            tensor_words.append(f"{name} ({'no version counter' if version is None else f'version {version}'}) "
                                f"reads memory {numbers[tensor.untyped_storage().data_ptr()]}" + (" as a view" * view))
        # A node is drawn if it saved a tensor, or if it is the grad_fn of a tensor named here.
        savers = [node for node, *_ in self.saved]
        nodes = [node for node in self.nodes if node in savers or any(t.grad_fn is node for t in tensors.values())]
        for number, node in enumerate(nodes, start=1):
            owners = [name for name, tensor in tensors.items() if tensor.grad_fn is node]
            label = type(node).__name__ + "".join(f"\n({owner}.grad_fn)" for owner in owners)
            graph.node(f"{prefix}node{number}", label + ("" if node in savers else "\nsaved no tensor"),
                       fillcolor="lightgrey", shape="box", style="filled")
            graph.kinds += ["node"]
            node_words += [] if node in savers else [label.replace("\n", " ") + " saved no tensor"]
        for node, attribute, saved, version_then, values_then in self.saved:
            now = _version(saved)
            try:
                getattr(node, attribute)
            except RuntimeError as error:  # autograd would not hand the saved tensor back: freed, or stale
                kind = "freed" if "freed" in str(error) else "stale"
            else:
                kind = "intact" if torch.equal(saved.detach(), values_then) else "silent"
            graph.kinds += [kind]
            into = memory(saved)
            graph.edge(f"{prefix}node{nodes.index(node) + 1}", into, **SAVED_STYLE[kind],
                       label=f"{attribute}\nsaved at version {version_then}, now {now}\n{SAVED_NOTE[kind]}")
            owners = "".join(f" ({name}.grad_fn)" for name, tensor in tensors.items() if tensor.grad_fn is node)
            node_words.append(f"{type(node).__name__}{owners} saved {attribute} in memory "
                              f"{numbers[saved.untyped_storage().data_ptr()]} at version {version_then}, now {now}: "
                              + SAVED_NOTE[kind].replace("\n", " "))
        if not title:
            graph.attr(label=legend(graph.kinds), labelloc="b")
        words = tensor_words + counter_words + memory_words + node_words
        graph.alt = (f"Memory picture, {title}: " if title else "Memory picture: ") + "; ".join(words) + "."
        return graph


SAVED_STYLE = {"intact": {"color": "darkgreen", "fontcolor": "darkgreen"},
               "stale": {"color": "red", "fontcolor": "red", "penwidth": "2"},
               "silent": {"color": "purple", "fontcolor": "purple", "penwidth": "2", "style": "dashed"},
               "freed": {"color": "grey50", "style": "dotted"}}
SAVED_NOTE = {"intact": "as in the forward pass", "stale": "stale: backward() will refuse it",
              "silent": "values changed, not refused:\nthe gradient may be silently wrong",
              "freed": "freed by backward()"}
LEGEND = {"tensor": "blue: a tensor and its version", "memory": "yellow: memory and its values",
          "counter": "dashed box: tensors that share one version counter",
          "node": "grey: a backward node; its arrows point to memory it saved",
          "intact": "green: saved memory unchanged", "stale": "red: stale, backward() refuses it",
          "silent": "purple: changed where autograd cannot see", "freed": "dotted: freed by backward()"}


def legend(kinds):
    shown = [LEGEND[kind] for kind in LEGEND if kind in kinds]
    return "\n".join(" · ".join(shown[start:start + 3]) for start in range(0, len(shown), 3))  # 3 to a line


def stacked(*pictures):
    """Several pictures drawn with `draw(title=...)`, one above the other in one image, with one legend."""
    graph = graphviz.Digraph()
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", labelloc="b", labeljust="l",
               label=legend([kind for picture in pictures for kind in picture.kinds]))
    for picture in reversed(pictures):  # graphviz puts each cluster above the ones before it: the first ends on top
        graph.subgraph(picture)
    graph.alt = f"{len(pictures)} memory pictures, one above the other. " + " ".join(p.alt for p in pictures)
    return graph
