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
VERIFIED_WITH = ("2.6.0", "2.9.1", "2.13.0", "2.14.1", "2.15.0")  # every notebook runs to its end on these
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


def _did_not_hold(what):
    print(f"✗ {what}\n  This is PyTorch {torch.__version__}; the series was verified on {', '.join(VERIFIED_WITH)}.")
    if STRICT:
        raise AssertionError(what)


def check(claim, holds):
    """Print ✓ and the claim when it holds here; otherwise say what did not hold, and on which PyTorch."""
    if holds:
        print(f"✓ {claim}")
    else:
        _did_not_hold(f"{claim}: not so here")


class expect_error(contextlib.AbstractContextManager):
    """`with expect_error(RuntimeError, cause="..."): ...` shows the error the block raises, and the notebook
    runs on. `cause` says in one line why it is raised (tools/error_index.py lists it in the error index).

    The caught exception is kept as `.error`. A block that raises nothing, or another kind of error, is
    reported as a failed check."""

    def __init__(self, kind, *, cause):
        self.kind, self.cause, self.error = kind, cause, None

    def __exit__(self, kind, error, traceback):
        if error is None:
            _did_not_hold(f"expected a {self.kind.__name__}, but the code ran without one")
        elif not isinstance(error, self.kind):
            _did_not_hold(f"expected a {self.kind.__name__}, got {type(error).__name__}: {error}")
        else:
            self.error = error
            print(f"{type(error).__name__}: {error}")
        return True


@contextlib.contextmanager
def expect_warning(kind, *, cause):
    """`with expect_warning(UserWarning, cause="..."): ...` shows the warnings the block gives, as lines of
    output instead of on stderr. `cause` is as for expect_error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    shown = [warning for warning in caught if issubclass(warning.category, kind)]
    if not shown:
        _did_not_hold(f"expected a {kind.__name__}, but the code gave none")
    for warning in shown:  # without the "(Triggered internally at <a path in PyTorch's build>)" some end with
        message = re.sub(r"\s*\(Triggered internally at .*\)$", "", str(warning.message), flags=re.DOTALL)
        print(f"{warning.category.__name__}: {message}")


def symptom(what, holds, *, cause):
    """A silent symptom (no error, no warning) that the code shows: prints `⚠ symptom: what` when it does, or says
    that it did not, as a failed check does. `cause` is as for expect_error."""
    if holds:
        print(f"⚠ symptom: {what}")
    else:
        _did_not_hold(f"expected the symptom '{what}', but it did not show")


def make_dot(tensor, params, show_saved=False):
    """torchviz.make_dot: the graph of how `tensor` was computed, drawn forward (arrows run from inputs to
    what was computed from them; backward() walks them the other way). Its nodes are renamed n0, n1, ... in
    visiting order, where torchviz names them by id(), which changes from run to run."""
    graph = torchviz.make_dot(tensor, params=params, show_saved=show_saved)
    names = {}
    graph.body = [re.sub(r"\b\d{10,}\b", lambda m: names.setdefault(m.group(), f"n{len(names)}"), line)
                  for line in graph.body]
    return graph


def show_graph(graph):
    """Draw a graph. The drawing also carries its DOT source as plain text, which the tests compare."""
    if graphviz is None or not shutil.which("dot"):
        print("No graph drawn: graphviz's `dot` program is missing. Install the graphviz package (apt-get install "
              "graphviz, brew install graphviz or conda install graphviz), then run this cell again.")
        return
    svg = graph.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML prolog and the comment naming graphviz's version
    # JupyterLab shows image/svg+xml only in a notebook it trusts, but an <img> in text/html everywhere.
    img = f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
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
        """The picture now, with `more` named tensors added to it."""
        tensors = {**self.tensors, **more}
        prefix = re.sub(r"\W+", "_", title).strip("_") + "_" if title else ""
        graph = graphviz.Digraph(name=f"cluster_{prefix}" if title else None)
        graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", label=title or "", labelloc="t", labeljust="l")
        graph.attr("node", fontname="Helvetica", fontsize="11", shape="box", style="rounded,filled")
        graph.attr("edge", fontname="Helvetica", fontsize="10")
        graph.kinds = ["tensor", "memory"]  # what the legend explains: only what this picture shows
        named = {tensor.untyped_storage().data_ptr() for tensor in tensors.values()}
        memories = {}

        def memory(tensor):  # one box per storage, numbered in order of first appearance
            key = tensor.untyped_storage().data_ptr()
            if key not in memories:
                memories[key] = f"{prefix}memory{len(memories) + 1}"
                note = "" if key in named else "\n(no tensor named here reads it)"
                graph.node(memories[key], f"memory {len(memories)}\n{_values(_whole_storage(tensor))}{note}",
                           fillcolor="lightyellow", fontname="Courier")
            return memories[key]

        for group_number, group in enumerate(_counter_groups(tensors), start=1):
            with graph.subgraph(name=f"cluster_{prefix}counter{group_number}") as box:
                shared = len(group) > 1
                box.attr(label="one version counter" if shared else "", style="dashed" if shared else "invis",
                         fontsize="9", color="grey40")
                graph.kinds += ["counter"] if shared else []
                for name in group:
                    box.node(f"{prefix}tensor_{name}", f"{name}\nversion {_version(tensors[name])}",
                             fillcolor="lightblue")
        for name, tensor in tensors.items():
            if _version(tensor) is None:
                graph.node(f"{prefix}tensor_{name}", f"{name}\n(no version counter)", fillcolor="lightblue")
            graph.edge(f"{prefix}tensor_{name}", memory(tensor), label="a view" if tensor._base is not None else "")
        # A node is drawn if it saved a tensor, or if it is the grad_fn of a tensor named here.
        savers = [node for node, *_ in self.saved]
        nodes = [node for node in self.nodes if node in savers or any(t.grad_fn is node for t in tensors.values())]
        for number, node in enumerate(nodes, start=1):
            owners = [name for name, tensor in tensors.items() if tensor.grad_fn is node]
            label = type(node).__name__ + "".join(f"\n({owner}.grad_fn)" for owner in owners)
            graph.node(f"{prefix}node{number}", label + ("" if node in savers else "\nsaved no tensor"),
                       fillcolor="lightgrey", shape="box", style="filled")
            graph.kinds += ["node"]
        for node, attribute, saved, version_then, values_then in self.saved:
            now = _version(saved)
            try:
                getattr(node, attribute)
                refused = False
            except RuntimeError:  # autograd's own check refused to hand the saved tensor back
                refused = True
            if refused and now != version_then:
                kind = "stale"
            elif refused:
                kind = "freed"
            else:
                kind = "intact" if torch.equal(saved.detach(), values_then) else "silent"
            graph.kinds += [kind]
            graph.edge(f"{prefix}node{nodes.index(node) + 1}", memory(saved), **SAVED_STYLE[kind],
                       label=f"{attribute}\nsaved at version {version_then}, now {now}\n{SAVED_NOTE[kind]}")
        if not title:
            graph.attr(label=legend(graph.kinds), labelloc="b")
        return graph


SAVED_STYLE = {"intact": {"color": "darkgreen", "fontcolor": "darkgreen"},
               "stale": {"color": "red", "fontcolor": "red", "penwidth": "2"},
               "silent": {"color": "purple", "fontcolor": "purple", "penwidth": "2", "style": "dashed"},
               "freed": {"color": "grey50", "style": "dotted"}}
SAVED_NOTE = {"intact": "as in the forward pass", "stale": "stale: backward() will refuse it",
              "silent": "values changed, versions agree:\nsilently wrong gradient", "freed": "freed by backward()"}
LEGEND = {"tensor": "blue: a tensor and its version", "memory": "yellow: memory and its values",
          "counter": "dashed box: tensors that share one version counter",
          "node": "grey: a backward node; its arrows point to memory it saved",
          "intact": "green: saved memory unchanged", "stale": "red: stale, backward() refuses it",
          "silent": "purple: changed where autograd cannot see", "freed": "dotted: freed by backward()"}


def legend(kinds):
    shown = [LEGEND[kind] for kind in LEGEND if kind in kinds]
    return "\n".join(" · ".join(shown[start:start + 3]) for start in range(0, len(shown), 3))  # 3 to a line


def side_by_side(*pictures):
    """Several pictures drawn with `draw(title=...)`, in one image with one legend."""
    graph = graphviz.Digraph()
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", labelloc="b", labeljust="l",
               label=legend([kind for picture in pictures for kind in picture.kinds]))
    for picture in reversed(pictures):  # left to right, graphviz stacks each cluster above the ones before it
        graph.subgraph(picture)
    return graph
