#!/usr/bin/env python3
"""Writes data/seed/*.csv, pollagg's wide template, from the transcribed
source files in this folder. Run from data/: python3 sources/convert.py

It only rearranges: every number, date and URL is copied from the sources;
the question wording and extra sources come from kr_forced_labor_2023_details.csv.
data/seed_test.go checks that the seed files still match the sources."""
import csv, os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "seed")

def rows(name):
    with open(os.path.join(here, name), encoding="utf-8") as f:
        return list(csv.DictReader(f))

details = {}
for d in rows("kr_forced_labor_2023_details.csv"):
    details[(d["file"], d["pollster"], d["start_date"])] = d

COLS = ["question_id", "pollster", "sponsor", "start_date", "end_date", "sample_size", "mode",
        "response_rate", "wording", "source_url", "notes"]

def write(name, qid, answers, recs):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLS + answers)
        for r in recs:
            w.writerow([qid] + [r.get(c, "") for c in COLS[1:]] + [r.get(a, "") for a in answers])

def korean(src, qid, out_name):
    recs = []
    for r in rows(src):
        d = details.get((src, r["pollster"], r["start_date"]))
        if d:
            r["wording"] = d["question_and_label_mapping"]
            r["notes"] = ("also: " + d["additional_sources"]) if d["additional_sources"] else ""
        recs.append(r)
    write(out_name, qid, ["support", "oppose", "undecided"], recs)

korean("kr_forced_labor_2023.csv", "kr-forced-labor-plan-2023", "kr-forced-labor-plan-2023.csv")
korean("kr_yoon_kishida_summit_2023.csv", "kr-japan-summit-evaluation", "kr-japan-summit-evaluation.csv")

jp = rows("jp_polls_kr_forced_labor_summit_2023.csv")
for topic_prefix, qid in [("Korean government forced-labour solution", "jp-korea-plan-2023"),
                          ("Yoon-Kishida summit", "jp-summit-2023")]:
    recs = []
    for r in jp:
        if r["topic"].startswith(topic_prefix):
            r["wording"] = r["topic"]
            recs.append(r)
    write(qid + ".csv", qid, ["support", "oppose", "undecided"], recs)

recs = []
for r in rows("kr_gallup_yoon_approval.csv"):
    r["sponsor"] = "self (Daily Opinion)"
    r["pollster"] = "Gallup Korea"
    r["wording"] = "윤석열 대통령이 대통령으로서의 직무를 잘 수행하고 있다고 보십니까, 잘못 수행하고 있다고 보십니까? (Gallup Korea standard job-approval item)"
    recs.append(r)
write("kr-yoon-approval-gallup.csv", "kr-yoon-approval-gallup", ["approve", "disapprove"], recs)
