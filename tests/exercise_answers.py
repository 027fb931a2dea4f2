"""The answer key of notebooks/12_exercises.ipynb, kept out of the learner's notebook.

    python tests/exercise_answers.py     print the key

For each question: the right answer, and a typical wrong one; for some, the right answer in another harmless form
(a string that spells the value). tests/test_exercises.py fills each set into the notebook's answer cells and runs
it: every check must accept the right answers, in either form, and reject the wrong ones.
"""
RIGHT = {
    1: [0.25, 0.1966, 0.1966],
    2: [1.0, 4.0, 9.0],
    3: {"detached", "from_item"},
    4: [0.25, 0.25, 0.25],
    5: "raises",
    6: "raises",
    7: 2,
    8: "raises",
    9: {"tanh", "sqrt"},
    10: [1.0, 1.0, 1.0],
    11: {"detach_clone", "tolist"},
    12: {"inference_times"},
    13: ("silently wrong", "raises"),
    14: -8.0,
    15: {"last"},
    16: ((True, True), (False, False)),
    17: {"first.weight", "first.bias"},
    18: {"loss"},
    19: "silently wrong",
    20: ("h", 2, 0),
    21: None,
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
    9: {"tanh", "sqrt", "abs"},             # abs taken for an operation that saves its result
    10: [0.0, 1.0, 1.0],                    # the true mask of relu
    11: {"detach_clone"},                   # tolist() taken for a view
    12: {"inference_plus", "inference_times"},  # every use of an inference tensor refused
    13: ("raises", "raises"),               # ctx.y taken for a checked saved tensor
    14: 16.0,                               # the gradient through the target too
    15: {"middle", "last"},                 # detach() taken to cut only before the layer after it
    16: ((False, True), (False, False)),    # eval() taken to stop recording
    17: {"first.weight", "first.bias", "last.weight", "last.bias"},  # every parameter stepped, so all wrong
    18: {"loss", "loss.detach()"},          # detach() taken to keep the graph
    19: "raises",                           # inplace ReLU taken to always break backward
    20: ("z", 2, 0),                        # the clamped tensor of the same shape
    21: [41.6, 58.4],                       # the gradient at the stepped w
}

ALSO_RIGHT = {  # the right answer as a learner may also type it
    7: "2",
    14: "-8",
    19: "silently_wrong",
    20: ("h", "2", "0"),
    21: "None",
}


def shown(answer):
    if isinstance(answer, set):
        return "{" + ", ".join(repr(item) for item in sorted(answer)) + "}"
    return repr(answer)


def main():
    for number in sorted(RIGHT):
        print(f"Question {number:2}: {shown(RIGHT[number])}    (a typical wrong answer: {shown(WRONG[number])})")


if __name__ == "__main__":
    main()
