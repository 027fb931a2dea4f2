"""The answer key of notebooks/12_exercises.ipynb, kept out of the learner's notebook.

    python tests/exercise_answers.py          print the key
    python tests/exercise_answers.py --why    print EXPLANATIONS encoded, as the notebook's checking cell holds them

Questions 1–15 (Part 1) need only the course, 01–05 and 11; 16–21 (Part 2) go with the reference notebooks 06–10.
For each question: the right answer as the program's result prints it, a typical wrong one, and the explanation a
right answer earns. ALSO_RIGHT and ALSO_WRONG hold answers as a learner types them (Python source), grouped by form.
tests/test_exercises.py fills every one into the notebook's answer cells and runs its checks: the right answers, in
every form, must be accepted, and the wrong ones rejected with a hint that gives nothing away; an answer in another
form than the question asks for (a name where a tuple of three is asked) is also told the form asked for.

The notebook holds the explanations only encoded (zlib, then base64), so that reading its folded cell reveals no
answer. After changing EXPLANATIONS, paste the output of `--why` over the notebook's `_EXPLANATIONS` and record it.
"""
import base64
import json
import sys
import zlib

COURSE = ("01", "02", "03", "04", "05", "11")  # the notebooks of the course, which Part 1 alone may point to
PART_1 = range(1, 16)  # the questions the course alone answers; the rest go with the reference notebooks 06–10

RIGHT = {
    # Part 1 · the course (01–05 and 11)
    1: [0.25, 0.1966, 0.1966],
    2: [1.0, 4.0, 9.0],
    3: {"detached", "from_item"},
    4: [0.25, 0.25, 0.25],
    5: "raises",
    6: "raises",
    7: 2,
    8: "raises",
    9: [1.0, 1.0, 1.0],
    10: {"detach_clone", "tolist"},
    11: -8.0,
    12: {"last"},
    13: "silently wrong",
    14: ("h", 2, 0),
    15: None,
    # Part 2 · with the reference notebooks (06–10)
    16: ("silently wrong", "raises"),
    17: {"tanh", "sqrt"},
    18: {"inference_times"},
    19: ((True, True), (False, False)),
    20: {"first.weight", "first.bias"},
    21: {"loss"},
}

WRONG = {
    1: [0.1966, 0.1050, 0.0452],            # the gradient at 1, 2, 3 of notebook 01
    2: [3.0, 12.0, 27.0],                   # the gradient of a³, as if b were not detached
    3: {"detached"},                        # .item() taken for a tensor in the graph
    4: [0.1966, 0.1050, 0.0452],            # the true gradient, as if the write were seen
    5: [0.1966, 0.1050, 0.0452],            # values restored, so no harm done
    6: [0.1966, 0.1050, 0.0452],            # notebook 05's answer: zeroing a sum is harmless
    7: 3,                                   # .data counted too
    8: [2.7183, 7.3891, 20.0855],           # x[0] taken for a copy
    9: [0.0, 1.0, 1.0],                     # the true mask of relu
    10: {"detach_clone"},                   # tolist() taken for a view
    11: 16.0,                               # the gradient through the target too
    12: {"middle", "last"},                 # detach() taken to cut only before the layer after it
    13: "raises",                           # inplace ReLU taken to always break backward
    14: ("z", 2, 0),                        # the clamped tensor of the same shape
    15: [41.6, 58.4],                       # the gradient at the stepped w
    16: ("raises", "raises"),               # ctx.y taken for a checked saved tensor
    17: {"tanh", "sqrt", "abs"},            # abs taken for an operation that saves its result
    18: {"inference_plus", "inference_times"},  # every use of an inference tensor refused
    19: ((False, True), (False, False)),    # eval() taken to stop recording
    20: {"first.weight", "first.bias", "last.weight", "last.bias"},  # every parameter stepped, so all wrong
    21: {"loss", "loss.detach()"},          # detach() taken to keep the graph
}

# The right answer in the other forms a learner may type, by form: (question, what goes after `answer_N = `).
ALSO_RIGHT = {
    "values as a tensor": [(1, "torch.tensor([0.25, 0.1966, 0.1966])"), (4, "torch.full((3,), 0.25)")],
    "values as a tuple": [(2, "(1, 4, 9)")],
    "values with more decimals": [(1, "[0.25, 0.19661193, 0.196612]")],
    "a number as a 0-dim tensor": [(11, "torch.tensor(-8.0)")],
    "a number as a string": [(7, '"2"'), (11, '" -8 "'), (14, '("h", "2", "0")')],
    "raises as an exception class": [(5, "RuntimeError"), (8, "Exception")],
    "raises as a word, any case": [(6, '"Error"'), (8, '"RAISE"'), (5, '"raised"'), (6, '"fails"')],
    "raises as a phrase, any case": [(5, '"it raises"'), (6, '"Raises an error"'), (8, '"It fails."'),
                                     (8, '"throws a RuntimeError"'), (16, '("silently wrong", "backward fails")')],
    "a set as a list or tuple, in another order": [(3, '["from_item", "detached"]'), (17, '("sqrt", "tanh")'),
                                                   (20, 'frozenset({"first.bias", "first.weight"})')],
    "a one-name set as the name": [(18, '"inference_times"')],
    "outcome words in any case, with _ or spaces": [(13, '"Silently_Wrong"'),
                                                    (16, '["silently  wrong", RuntimeError]')],
    "pairs as lists": [(19, "[[True, True], [False, False]]")],
    "None, True and False as words": [(15, '"None"'), (19, '(("true", "True"), ("false", "FALSE"))')],
}

# Natural forms of wrong answers: each must still be rejected.
ALSO_WRONG = {
    "the wrong exception class": [(5, "ValueError")],
    "another kind of error, as a word": [(5, '"ValueError"'), (8, '"a TypeError"')],
    "a phrase that says it does not raise": [(6, '"no error"'), (5, '"it does not raise"'), (8, '"doesn\'t fail"'),
                                             (6, '"runs without error"'), (5, '"never fails"')],
    "values within 0.01, not to 4 decimals": [(1, "[0.25, 0.197, 0.197]"), (11, "-7.995"),
                                              (9, "torch.tensor([1.0, 0.999, 1.0])")],
    "a tensor of the wrong values": [(4, "torch.tensor([0.1966, 0.1050, 0.0452])")],
    "True for a number": [(7, "True")],
    "a set with a name missing, as a list": [(17, '["tanh"]')],
    "a name for a set of two": [(3, '"detached"')],
    "a pair in the wrong order": [(16, '("raises", "silently wrong")')],
    "raises for values": [(15, "RuntimeError"), (15, '"it raises"')],
    "a form other than the question asks for": [
        (1, "0.25"), (2, '"a squared"'), (3, "2"), (4, "0.25"), (5, "False"), (6, '"zero"'), (7, '"t._version"'),
        (8, '"x[0] is a copy"'), (9, "1.0"), (10, "True"), (11, "(2.0, 3.0)"), (12, "1"), (13, "True"), (14, '"h"'),
        (15, "0"), (16, '"silently wrong"'), (17, "2"), (18, "1"), (19, "(True, False)"), (20, "0.1"), (21, "3")],
}
# Of ALSO_WRONG, the answers whose numbers are all within 0.01 of the right ones: the feedback asks for 4 decimals.
NEAR = "values within 0.01, not to 4 decimals"
# Of ALSO_WRONG, one answer per question in a form it does not ask for: the feedback names the form asked for.
WRONG_FORM = "a form other than the question asks for"

EXPLANATIONS = {
    1: "SigmoidBackward0 saved its result σ(a) and multiplies the incoming gradient by σ(a)·(1 − σ(a)): 0.5·0.5 at "
       "0, and one value at 1 and at −1, as σ(−1) = 1 − σ(1) (notebook 01).",
    2: "b.detach() enters the product as a constant, so the gradient of the loss with respect to a is b's value, "
       "a², and no gradient flows back through b (notebook 02).",
    3: "backward() starts only from a tensor that requires grad: one with a grad_fn, or a leaf that requires grad. "
       "w.detach() * x and a new tensor made from the Python float of .item() require none; half_detached still "
       "has a recorded term, w.sum(), and cloned keeps clone()'s grad_fn (notebook 03).",
    4: "out.data shares out's memory but not its version counter, so the write leaves no trace; SigmoidBackward0 "
       "then computes r·(1 − r) from its saved result r, now 0.5 everywhere (notebook 04).",
    5: "the version counter counts in-place operations, not values: zero_() and copy_() through c, which shares "
       "out's counter, moved it from 0 to 2, and SigmoidBackward0 refuses its saved result although the values are "
       "back (notebook 04).",
    6: "s * s saved s for its own backward (each factor, as each needs a gradient), and s.detach().zero_() moved "
       "s's version counter; that SumBackward0 saves nothing does not protect a tensor that a later node saved "
       "(notebook 05).",
    7: "a view (t[1:]) and detach() share t's version counter, so their two writes count; .data and clone() give "
       "tensors with counters of their own (notebooks 01, 02 and 04).",
    8: "x[0] is a view of x, and x = out.detach() shares out's memory and version counter, so mul_() through first "
       "moved out's counter; ExpBackward0 saved its result out, and refuses it (notebook 05).",
    9: "ReluBackward0 builds its mask, result > 0, from its saved result; the .data write made every entry positive "
       "without moving the counter, so the mask lets the gradient through everywhere (notebook 05).",
    10: "detach() shares w's memory, so the in-place step shows through it; clone() and tolist() copied the values "
        "when they ran (notebooks 02 and 05).",
    11: "the detached target t is a constant, so the gradient of (w·x − t)² is 2·(w·x − t)·x = 2·(2 − 6)·1 "
        "(notebooks 02 and 05).",
    12: "detach() cuts the graph after middle: backward starts at the loss and stops at the detached tensor, so "
        "only last gets a gradient (notebook 03).",
    13: "ReLU(inplace=True) writes into h, and identity is h itself, so the block adds relu(h) where it meant h. "
        "The nodes that saved h (the in-place ReLU its result, lin its input) saved it after that write, so no "
        "version check fails (notebook 11).",
    14: "the message names the changed tensor by its type, its shape and the operation whose output it is (Tanh, "
        "so h), then gives its version now and the version the backward node saved (notebook 11).",
    15: "w - 0.1 * w.grad is recorded, so the new w is not a leaf, and backward accumulates into .grad only on "
        "leaves (and on tensors that called retain_grad()); step under torch.no_grad() with w -= … instead "
        "(notebook 11).",
    16: "save_for_backward() puts y under autograd's version check, so ExpSaved raises; ExpOnCtx keeps y as a plain "
        "Python attribute that nothing checks, so its backward multiplies by the changed y (notebook 06).",
    17: "tanh and sqrt save their result (their derivatives, 1 − y² and 1/(2y), are written with it), so the write "
        "through detach() is refused; cos and abs save their input, and t * 3 saves only the 3 (notebook 07).",
    18: "an inference tensor cannot be saved for backward. A product saves a factor only when the other factor "
        "needs a gradient: scale_inference * w must save scale_inference to give w its gradient, and a sum saves "
        "neither. A no_grad() result is an ordinary tensor, which can be saved (notebook 08).",
    19: "eval() switches dropout and batch norm to their evaluation behaviour, and autograd still records; "
        "no_grad() stops the recording and leaves the layers as they are (here in training mode), so dropout draws "
        "a new mask for each call (notebook 10).",
    20: "a .data step escapes the version check, and a node computes with the current values of what it saved. "
        "last's node saved its weight (as the view weight.t()) to pass the gradient back to its input, so first's "
        "gradients are computed with the stepped weight; last's own come from saved activations, which did not "
        "change (notebooks 10 and 11).",
    21: "adding a tensor that has a grad_fn records a new node whose inputs lead back into that step's graph, so the "
        "running total keeps every step's nodes alive; a detached tensor or a Python float carries no graph "
        "(notebook 10).",
}

def encoded(explanations=EXPLANATIONS):
    """The explanations as the notebook holds them: JSON, compressed with zlib, in base64."""
    return base64.b64encode(zlib.compress(json.dumps(explanations, ensure_ascii=False).encode(), 9)).decode()


def shown(answer):
    """An answer as the notebook writes it back: a set's names sorted."""
    if isinstance(answer, set | frozenset):
        return "{" + ", ".join(repr(item) for item in sorted(answer, key=str)) + "}"
    return repr(answer)


def main():
    if sys.argv[1:] == ["--why"]:
        text = encoded()
        lines = [f'    "{text[start:start + 100]}"' for start in range(0, len(text), 100)]
        print("_EXPLANATIONS = (\n" + "\n".join(lines) + "\n)")
        return
    for number in sorted(RIGHT):
        print(f"Question {number:2}: {shown(RIGHT[number])}    (a typical wrong answer: {shown(WRONG[number])})")
        print(f"             {EXPLANATIONS[number]}")


if __name__ == "__main__":
    main()
