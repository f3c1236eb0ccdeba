"""Benchmark: the ``rules`` extractor on a seeded corpus of synthetic news articles. Not a test.

Generates ``--docs`` articles (default 1,000) from templates: a headline, a dateline, and
paragraphs of reported speech with people (titles, appositions, surnames, pronouns), countries,
capitals, ministries, international bodies, outlets and "... Association" names, quotations
(typographic and straight), reporting verbs, "according to" and plain narration. Nothing is read
from ``tests/projects/``.

Each round times, in this process and one after the other:

- the **floor**: one pass of one simple compiled regex (``\\w+``) over the same texts, and
- the **extractor**: ``RulesExtractor(schema).extract(docs)``, single process;

with ``--baseline REV`` each round also runs that git revision's extractor (exported with
``git archive`` to a temporary folder) in a child process on the same corpus, so the two are
timed alternately under the same load; the child's records are then compared with this
checkout's, document by document (all documents; the first differences are printed).

Rounds alternate A/B ``--repeat`` times; the report gives docs/s (worst, median and best round)
by the wall clock and by this process's CPU time (``time.process_time``; on a shared machine the
wall clock also counts the time other processes hold the core), the ratio of the extractor's time
to the floor's, and the speed-up over the baseline in the same round. Peak memory: the
``tracemalloc`` peak over one extraction pass and the process's maximum resident set size.

    python bench/bench_rules.py                          # 1,000 documents, 5 rounds
    python bench/bench_rules.py --docs 200 --baseline 9af5d37   # the last commit before the speed-up
    taskset -c 0 python bench/bench_rules.py --baseline 4cacb11  # one core for both (the child inherits it)
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------- vocabulary

FIRST = [
    "Anna",
    "Lars",
    "Mikko",
    "Karin",
    "Peeter",
    "Ivan",
    "Olga",
    "Pavel",
    "Sergei",
    "Maria",
    "Ahmed",
    "Fatima",
    "Omar",
    "Layla",
    "Yusuf",
    "Hassan",
    "Mehmet",
    "Elif",
    "Jean",
    "Claire",
    "Pierre",
    "Hans",
    "Greta",
    "Klaus",
    "Giulia",
    "Marco",
    "Carlos",
    "Lucia",
    "João",
    "Ana",
    "Raj",
    "Priya",
    "Kenji",
    "Yuki",
    "Min-jun",
    "Seo-yeon",
    "Chidi",
    "Amara",
    "Kwame",
    "Thandiwe",
    "Tomas",
    "Ingrid",
    "Nikos",
    "Eleni",
    "Jan",
    "Zofia",
    "Dmitry",
    "Irina",
]
SURNAME = [
    "Olsen",
    "Salonen",
    "Holm",
    "Kask",
    "Petrov",
    "Sokolova",
    "Haddad",
    "Nasser",
    "Yilmaz",
    "Demir",
    "Dubois",
    "Laurent",
    "Schmidt",
    "Weber",
    "Rossi",
    "Bianchi",
    "Garcia",
    "Fernandes",
    "Sharma",
    "Patel",
    "Tanaka",
    "Sato",
    "Okafor",
    "Mensah",
    "Dlamini",
    "Berg",
    "Lindqvist",
    "Papadopoulos",
    "Kowalski",
    "Novak",
    "Ivanov",
    "Kuznetsova",
    "Moreau",
    "Costa",
    "Mahmoud",
    "Rahman",
    "Kamal",
    "Nurlanov",
    "Bakirov",
    "Horvat",
]
EAST_ASIAN = [
    ("Wang", "Lei"),
    ("Li", "Na"),
    ("Zhang", "Wei"),
    ("Kim", "Ji-ho"),
    ("Park", "Soo-ah"),
    ("Nguyen", "Van An"),
]
PARTICLE_NAMES = [
    "Faisal bin Farhan",
    "Khalid bin Omar",
    "Abdullah al-Sabah",
    "Ursula von der Leyen",
    "Ahmed Abu Zeid",
    "Mohammed bin Abdulrahman",
    "Jan de Vries",
    "Sheikh Tamim bin Hamad",
]
STATES = [
    ("Norway", "Norwegian", "Oslo"),
    ("Finland", "Finnish", "Helsinki"),
    ("Sweden", "Swedish", "Stockholm"),
    ("Estonia", "Estonian", "Tallinn"),
    ("Russia", "Russian", "Moscow"),
    ("China", "Chinese", "Beijing"),
    ("Turkey", "Turkish", "Ankara"),
    ("Egypt", "Egyptian", "Cairo"),
    ("Jordan", "Jordanian", "Amman"),
    ("Qatar", "Qatari", "Doha"),
    ("France", "French", "Paris"),
    ("Germany", "German", "Berlin"),
    ("Italy", "Italian", "Rome"),
    ("Japan", "Japanese", "Tokyo"),
    ("India", "Indian", "New Delhi"),
    ("Brazil", "Brazilian", "Brasilia"),
    ("South Africa", "South African", "Pretoria"),
    ("Kazakhstan", "Kazakh", "Astana"),
    ("Indonesia", "Indonesian", "Jakarta"),
    ("Canada", "Canadian", "Ottawa"),
    ("Mexico", "Mexican", "Mexico City"),
    ("Nigeria", "Nigerian", "Abuja"),
    ("Poland", "Polish", "Warsaw"),
    ("Spain", "Spanish", "Madrid"),
    ("Iran", "Iranian", "Tehran"),
    ("Saudi Arabia", "Saudi", "Riyadh"),
]
BODIES = [
    "United Nations",
    "UN Security Council",
    "European Union",
    "African Union",
    "Arab League",
    "NATO",
    "World Health Organization",
    "International Committee of the Red Cross",
    "OSCE",
    "IAEA",
    "World Bank",
    "International Monetary Fund",
    "UNICEF",
    "World Food Programme",
    "Amnesty International",
    "ASEAN",
    "Organization of Islamic Cooperation",
    "Human Rights Watch",
    "G20",
    "WTO",
    "Council of Europe",
]
OUTLETS = [
    "Reuters",
    "TASS",
    "Xinhua",
    "AFP",
    "Anadolu Agency",
    "Al Jazeera",
    "BBC",
    "Kyodo",
    "Interfax",
    "Associated Press",
    "Bloomberg",
    "Yonhap",
    "dpa",
    "EFE",
    "WAFA",
]
GROUPS = ["Hamas", "Hezbollah", "Houthis", "Taliban", "Fatah", "Islamic Jihad"]
ORG_HEADS = [
    "Federation",
    "Association",
    "Council",
    "Committee",
    "Union",
    "Institute",
    "Foundation",
    "Coalition",
    "Chamber",
    "Board",
    "Alliance",
    "Trust",
]
ORG_WORDS = [
    "National",
    "Northern",
    "Regional",
    "Independent",
    "Farmers",
    "Teachers",
    "Nurses",
    "Energy",
    "Ski",
    "Press",
    "Medical",
    "Chess",
    "Port",
    "Textile",
    "Shipping",
    "Youth",
    "Water",
    "Civil Aviation",
]
TITLES = [
    "Foreign Minister",
    "Prime Minister",
    "President",
    "Defence Minister",
    "Finance Minister",
    "Ambassador",
    "Deputy Foreign Minister",
    "Special Envoy",
    "spokesperson",
    "Interior Minister",
    "Secretary-General",
]
ROLES = [
    "foreign minister",
    "prime minister",
    "president",
    "spokesman",
    "top diplomat",
    "envoy",
    "ambassador",
    "finance minister",
    "chief negotiator",
    "deputy head",
    "senior adviser",
]
MINISTRY_KINDS = ["Foreign", "Defence", "Interior", "Health", "Finance", "Energy", "Trade", "Education"]
MINISTRY_OF = ["Foreign Affairs", "Defence", "Internal Affairs", "the Interior", "Health", "Finance"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SAY = [
    "said",
    "told reporters",
    "stressed",
    "noted",
    "added",
    "warned",
    "insisted",
    "emphasized",
    "declared",
    "argued",
    "reiterated",
    "pointed out",
    "underlined",
    "told a news conference",
    "wrote on social media",
]
SAY_THAT = [
    "said that",
    "stressed that",
    "noted that",
    "warned that",
    "insisted that",
    "emphasized that",
    "reiterated that",
    "told reporters that",
    "said in a statement that",
    "affirmed that",
    "believes that",
    "pointed out that",
    "made clear that",
    "also said that",
    "has repeatedly warned that",
]
ACTS = [
    "called for",
    "urged",
    "condemned",
    "welcomed",
    "rejected",
    "criticised",
    "demanded",
    "denounced",
    "supported",
    "praised",
    "called on all parties to respect",
]
TOPICS = [
    "an immediate ceasefire",
    "a humanitarian pause",
    "the delivery of humanitarian aid",
    "the new trade deal",
    "the climate agreement",
    "sanctions on energy exports",
    "the two-state solution",
    "the release of hostages",
    "the military operation",
    "the blockade of the port",
    "talks on nuclear safety",
    "a truce in the region",
    "the election results",
    "the fisheries agreement",
    "the peace plan",
    "debt relief for poorer countries",
    "the opening of humanitarian corridors",
    "the reform of the Security Council",
    "the grain corridor",
    "the expansion of the alliance",
    "a referendum on independence",
    "the doping ban",
    "visa-free travel",
]
CLAUSES = [
    "{topic} must be implemented without delay",
    "there is no alternative to {topic}",
    "{state} stands ready to support {topic}",
    "{topic} would be a catastrophe for civilians",
    "the government opposes {topic}",
    "all sides should show restraint",
    "{topic} is essential for stability",
    "the attacks violate international law",
    "{topic} is unacceptable",
    "dialogue is the only way forward",
    "the situation on the ground remains dangerous",
    "{capital} will not accept {topic}",
    "the delegation will return next week",
    "{topic} has been discussed at length",
    "the talks were constructive and frank",
    "both parties must respect {topic}",
    "the aid convoys were blocked at the border",
    "more needs to be done to protect civilians",
    "{state} has never supported {topic}",
    "the decision was taken after careful consideration",
]
QUOTES = [
    "We cannot accept {topic}",
    "There can be no military solution",
    "This is a tragedy for everyone",
    "Our position has not changed",
    "We need {topic} now, not later",
    "History will judge us",
    "The door to dialogue remains open",
    "We are ready to help",
    "This is a dangerous escalation",
    "Nobody wins a war like this",
    "The international community must act",
    "We will not be intimidated",
]
NARRATION = [
    "The talks lasted more than three hours.",
    "Talks were held in {capital} on {day}.",
    "The meeting took place behind closed doors.",
    "Prices rose by {n} percent last year.",
    "Thousands of people gathered in the main square.",
    "The visit had been planned for months.",
    "No date has been set for the next round.",
    "The delegation arrived in {state} on {day}.",
    "Officials said the figures would be published in {month}.",
    "Analysts said the talks showed progress.",
    "The agreement was signed in {month} {year}.",
    "About {n},000 people have been displaced since {month}.",
    "Fighting continued overnight near the border.",
    "The vote is expected later this week.",
]


class Article:
    """One generated article: a cast of actors and the sentences that mention them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people = [self._person() for _ in range(rng.randint(2, 5))]
        self.states = rng.sample(STATES, 3)
        self.body, self.outlet = rng.choice(BODIES), rng.choice(OUTLETS)
        self.org = f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_WORDS)} {rng.choice(ORG_HEADS)}"
        self.last: tuple[str, str] | None = None  # the person last introduced (full name, surname)

    def _person(self) -> tuple[str, str, tuple]:
        """(full name, the name used later, their state)."""
        rng, state = self.rng, self.rng.choice(STATES)
        r = rng.random()
        if r < 0.12:
            family, given = rng.choice(EAST_ASIAN)
            return f"{family} {given}", family, state
        if r < 0.22:
            full = rng.choice(PARTICLE_NAMES)
            return full, full.split()[-1], state
        surname = rng.choice(SURNAME)
        return f"{rng.choice(FIRST)} {surname}", surname, state

    def fill(self, template: str) -> str:
        rng = self.rng
        state = rng.choice(self.states)
        return template.format(
            topic=rng.choice(TOPICS),
            state=state[0],
            capital=state[2],
            adj=state[1],
            day=rng.choice(DAYS),
            month=rng.choice(MONTHS),
            n=rng.randint(2, 90),
            year=rng.randint(1995, 2024),
        )

    def clause(self) -> str:
        return self.fill(self.rng.choice(CLAUSES))

    def quote(self, straight: bool = False) -> str:
        text = self.fill(self.rng.choice(QUOTES))
        r = self.rng.random()
        text += "," if r < 0.5 else "!" if r < 0.7 else f". {self.clause().capitalize()},"
        return f'"{text}"' if straight else f"“{text}”"

    # -- sentences: each introduces or refers back to an actor
    def introduce(self) -> str:
        rng = self.rng
        full, short, state = rng.choice(self.people)
        self.last = (full, short)
        form = rng.randrange(4)
        if form == 0:
            return f"{state[1]} {rng.choice(TITLES)} {full} {rng.choice(SAY_THAT)} {self.clause()}."
        if form == 1:
            return f"{full}, the {rng.choice(ROLES)} of {state[0]}, {rng.choice(SAY_THAT)} {self.clause()}."
        if form == 2:
            return f"{rng.choice(TITLES)} {full} {rng.choice(ACTS)} {rng.choice(TOPICS)} on {rng.choice(DAYS)}."
        return f"{self.quote()} said {full}, {state[1]} {rng.choice(ROLES)}."

    def refer(self) -> str:
        rng = self.rng
        if self.last is None:
            return self.introduce()
        short = self.last[1]
        forms = (  # one is drawn, then built: the draws are those of an if-chain
            lambda: f"{self.quote(straight=rng.random() < 0.3)} {short} {rng.choice(SAY)}.",
            lambda: f"He {rng.choice(SAY_THAT)} {self.clause()}.",
            lambda: f"{short} also {rng.choice(ACTS)} {rng.choice(TOPICS)}, saying {self.clause()}.",
            lambda: f"The {rng.choice(self.states)[1]} {rng.choice(ROLES)} {rng.choice(SAY_THAT)} {self.clause()}.",
            lambda: f"Mr {short} {rng.choice(SAY)} that {self.clause()} and {self.clause()}.",
            lambda: f"She {rng.choice(ACTS)} {rng.choice(TOPICS)}, stressing that {self.clause()}.",
        )
        return forms[rng.randrange(len(forms))]()

    def institution(self) -> str:
        rng = self.rng
        state = rng.choice(self.states)

        def ministry_of() -> str:
            of_state = f" of {state[0]}" if rng.random() < 0.5 else ""
            return f"The Ministry of {rng.choice(MINISTRY_OF)}{of_state} {rng.choice(ACTS)} {rng.choice(TOPICS)}."

        forms = (  # one is drawn, then built: the draws are those of an if-chain
            lambda: f"The {state[1]} {rng.choice(MINISTRY_KINDS)} Ministry {rng.choice(SAY_THAT)} {self.clause()}.",
            ministry_of,
            lambda: f"{state[2]} has {rng.choice(ACTS)} {rng.choice(TOPICS)}, and {state[2]}'s position is firm.",
            lambda: f"The {self.body} {rng.choice(ACTS)} {rng.choice(TOPICS)} in a statement.",
            lambda: f"According to {self.outlet}, {self.clause()}.",
            lambda: f"The {self.org} of {state[0]} {rng.choice(SAY_THAT)} {self.clause()}.",
            lambda: f"The {state[1]} government {rng.choice(ACTS)} {rng.choice(TOPICS)}, {self.outlet} reported.",
            lambda: f"{rng.choice(GROUPS)} {rng.choice(SAY_THAT)} {self.clause()}, according to {self.outlet}.",
        )
        return forms[rng.randrange(len(forms))]()

    def paragraph(self) -> str:
        rng, out = self.rng, []
        for _ in range(rng.randint(2, 6)):
            r = rng.random()
            kind = self.introduce if r < 0.3 else self.refer if r < 0.6 else self.institution if r < 0.85 else None
            out.append(kind() if kind else self.fill(rng.choice(NARRATION)))
        return " ".join(out)

    def text(self) -> str:
        rng = self.rng
        state, (full, _, _) = self.states[0], self.people[0]
        headline = (
            f"{state[1]} {rng.choice(['Minister', 'Leader', 'Envoy'])} {full.split()[-1]} "
            f"{rng.choice(['Urges', 'Rejects', 'Backs', 'Warns Against'])} "
            f"{rng.choice(['Ceasefire', 'Trade Deal', 'Sanctions', 'New Talks', 'Aid Plan'])} in {state[2]}"
        )
        dateline = f"{self.states[1][2].upper()}, {rng.choice(MONTHS)} {rng.randint(1, 28)} ({self.outlet}) - "
        paras = [self.paragraph() for _ in range(rng.randint(5, 10))]
        return headline + "\n\n" + dateline + "\n\n".join(paras) + "\n"


def generate(n_docs: int, seed: int = 20240917) -> list[tuple[str, str]]:
    """``n_docs`` (doc_id, text) pairs, the same for the same seed."""
    rng = random.Random(seed)
    return [(f"gen{i:05d}", Article(rng).text()) for i in range(n_docs)]


# ---------------------------------------------------------------------------- timing


def import_toolkit(root: Path):
    """The ``toolkit`` package from ``root`` (this checkout or an exported revision)."""
    sys.path.insert(0, str(root))
    from toolkit.extractors.rules import RulesExtractor
    from toolkit.schema import load_schema

    try:
        from toolkit.tasks import Document
    except ImportError:  # a revision before toolkit/export.py was renamed toolkit/tasks.py (4cacb11)
        from toolkit.export import Document

    return Document, RulesExtractor, load_schema


def timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of ``fn()``, after a garbage collection."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def floor_pass(texts: list[str]) -> None:
    """One pass of one simple compiled regex over every text: the cost of reading the corpus once."""
    rx = re.compile(r"\w+")
    for t in texts:
        for _ in rx.finditer(t):
            pass


def worker(args) -> None:
    """Child process: time one extraction pass of the given revision; records go to a JSON file."""
    Document, RulesExtractor, load_schema = import_toolkit(Path(args.worker))
    docs = [Document(i, t) for i, t in generate(args.docs, args.seed)]
    extractor = RulesExtractor(load_schema())
    extractor.extract(docs[:20])  # warm-up, as in the parent
    wall, cpu, records = timed(lambda: extractor.extract(docs))
    Path(args.out).write_text(json.dumps({"wall": wall, "cpu": cpu, "records": records}), encoding="utf-8")


def export_revision(rev: str, folder: Path) -> Path:
    """``git archive`` of ``rev`` unpacked into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_baseline(root: Path, args) -> tuple[float, float, list]:
    """(wall, CPU, records) of one pass of the exported revision, in a child process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                str(root),
                "--out",
                out,
                "--docs",
                str(args.docs),
                "--seed",
                str(args.seed),
            ],
            check=True,
            cwd=root,
        )
        data = json.loads(Path(out).read_text(encoding="utf-8"))
        return data["wall"], data["cpu"], data["records"]
    finally:
        os.unlink(out)


def digest(records) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()[:16]


def compare(current: list, baseline: list, show: int = 3) -> int:
    """Number of documents whose records differ; the first ``show`` differences are printed."""
    bad = [i for i, (a, b) in enumerate(zip(current, baseline, strict=False)) if a != b]  # lengths compared below
    for i in bad[:show]:
        a, b = current[i], baseline[i]
        for key in ("actors", "claims", "doc_stances"):
            if a[key] != b[key]:
                print(f"  {a['doc_id']}: {key} differ\n    now:  {a[key]}\n    base: {b[key]}")
    return len(bad) + abs(len(current) - len(baseline))


def summary(name: str, seconds: list[float], n_docs: int, floor: list[float] | None = None) -> str:
    """docs/s (worst, median, best round) and the time per pass as a multiple of the floor's."""
    rates = sorted(n_docs / s for s in seconds)
    line = f"  {name:<9} docs/s worst {rates[0]:8.1f}  median {statistics.median(rates):8.1f}  best {rates[-1]:8.1f}"
    if floor:
        ratios = sorted(s / f for s, f in zip(seconds, floor, strict=True))
        line += f"   time / floor: best {ratios[0]:.0f}x, median {statistics.median(ratios):.0f}x"
    return line


def report(times: dict, n_docs: int, baseline: str | None) -> None:
    for clock in ("wall", "cpu"):
        print(f"{clock} clock ({'time.perf_counter' if clock == 'wall' else 'time.process_time, this process only'}):")
        floor = times["floor"][clock]
        print(summary("floor", floor, n_docs))
        print(summary("rules", times["rules"][clock], n_docs, floor))
        if baseline:
            print(summary("baseline", times["baseline"][clock], n_docs, floor))
            speedups = sorted(b / a for a, b in zip(times["rules"][clock], times["baseline"][clock], strict=True))
            print(
                f"  speed-up over {baseline} (same round): min {speedups[0]:.2f}x, "
                f"median {statistics.median(speedups):.2f}x"
            )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240917)
    parser.add_argument("--repeat", type=int, default=5, help="A/B rounds")
    parser.add_argument(
        "--baseline",
        help="a git revision to time alternately and compare outputs with (9af5d37: the last one before the speed-up)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


def rounds(args, extractor, docs: list, texts: list[str], base_root: Path | None) -> tuple[dict, list, list | None]:
    """Times of ``args.repeat`` A/B rounds (the floor, this checkout, the baseline, in turn) and the
    records of the last round, this checkout's and the baseline's."""
    times: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in ("floor", "rules", "baseline")}
    records = base_records = None
    for r in range(args.repeat):
        runs = {"floor": timed(lambda: floor_pass(texts)), "rules": timed(lambda: extractor.extract(docs))}
        if base_root:
            runs["baseline"] = run_baseline(base_root, args)
        for name, (wall, cpu, _) in runs.items():
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
        records, base_records = runs["rules"][2], runs.get("baseline", (0, 0, None))[2]
        print(
            f"round {r + 1}: "
            + ", ".join(f"{k} {w:.3f} s" for k, (w, _, _) in runs.items())
            + f"  (load {os.getloadavg()[0]:.2f})",
            flush=True,
        )
    return times, records, base_records


def memory(extractor, docs: list) -> str:
    """The tracemalloc peak over one extraction pass and the process's maximum resident set size."""
    tracemalloc.start()
    extractor.extract(docs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"memory: tracemalloc peak during one pass {peak / 2**20:.1f} MiB (records of {len(docs)} documents "
        f"included); max RSS of this process {rss:.0f} MiB"
    )


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return

    Document, RulesExtractor, load_schema = import_toolkit(ROOT)
    corpus = generate(args.docs, args.seed)
    docs = [Document(i, t) for i, t in corpus]
    texts = [t for _, t in corpus]
    print(
        f"corpus: {len(docs)} documents, {sum(map(len, texts)) / len(docs):.0f} characters each on average "
        f"(seed {args.seed}); load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, "
        f"this process (and the baseline's) allowed on cores {sorted(os.sched_getaffinity(0))}"
    )
    wall, _, extractor = timed(lambda: RulesExtractor(load_schema()))
    print(f"lexicon compiled in {wall:.2f} s (not counted below)")
    extractor.extract(docs[:20])  # warm-up (stemmer import, caches)

    base_root = export_revision(args.baseline, Path(tempfile.mkdtemp(prefix="bench_rules_"))) if args.baseline else None
    try:
        times, records, base_records = rounds(args, extractor, docs, texts, base_root)
    finally:
        if base_root:
            shutil.rmtree(base_root)
    report(times, len(docs), args.baseline)
    if base_root:
        differ = compare(records, base_records)
        print(
            f"outputs: {len(records) - differ} of {len(records)} documents identical to {args.baseline} "
            f"(digest now {digest(records)}, baseline {digest(base_records)})"
        )
    print(memory(extractor, docs))


if __name__ == "__main__":
    main()
