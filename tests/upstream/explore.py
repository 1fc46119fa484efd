"""Print the differences of every case (a developer's tool): python -m tests.upstream.explore
[--fidelity upstream] [name-prefix ...]"""
import sys
import warnings

warnings.filterwarnings("ignore")
from tests.upstream.cases import CASES  # noqa: E402
from tests.upstream.differential import differences, run  # noqa: E402
from tests.upstream.sides import MockSide, UpstreamSide  # noqa: E402

args = sys.argv[1:]
fidelity = "documented"
if args[:1] == ["--fidelity"]:
    fidelity, args = args[1], args[2:]
up, mine = UpstreamSide(), MockSide(fidelity)
same = 0
for case in CASES:
    if args and not any(case.name.startswith(a) for a in args):
        continue
    a, b = run(up, case), run(mine, case)
    diff = differences(a, b)
    if not diff:
        same += 1
        continue
    print(f"== {case.name}")
    for line in diff:
        print("   ", line)
print(f"identical {same} / {len(CASES)}")
