#!/usr/bin/env python3
"""Writes data/seed/*.csv, pollagg's wide template, from the transcribed
source files in this folder. Run from data/: python3 sources/convert.py

It only rearranges: every number, date, sample size and URL is copied from
the sources. What it adds is said here and checked by data/seed_test.go:

  * question wording and extra sources of the March 2023 files come from
    kr_forced_labor_2023_details.csv;
  * the notes of a poll whose record rests on a repost (a forum or blog
    copy, a mirror, a list-page teaser, a portal copy) begin with REPOST;
  * the Hankook Ilbo-Yomiuri rows of the plan question begin their wording
    with EVALUATION: the joint survey asks for an evaluation, not support;
  * in the approval file a blank mode cell becomes the pollster's standard
    method as the sources describe it (README.md, table of pollsters), and
    the mode text says that the report did not print it;
  * long names of pollsters are shortened (NBS, KSOI, the Hankook
    Ilbo-Yomiuri survey), and the notes give the name as the source prints it.

kr_gallup_yoon_approval.csv is kept for the record only: its rows are inside
kr_yoon_approval_polls.csv, re-checked. Single-poll topics of
kr_japan_issue_polls_2023.csv stay in the sources and are not seeded."""
import csv, os, re

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "seed")

REPOST = ("REPOST: this record rests in whole or in part on a copy of the original report "
          "(a repost, mirror, teaser or portal copy), named here. "
          "재게시본: 이 기록의 전부 또는 일부는 원 보도를 옮긴 페이지에 근거합니다. — ")
EVALUATION = ("EVALUATION, not support: the joint survey asks whether the respondent evaluates "
              "the plan positively or negatively. 찬반이 아니라 긍정·부정 평가를 묻는 질문. — ")

# Hosts that only copy other outlets' reports (forums, blogs, portals), and
# the ohmynews AMP page the March 2023 README names as a repost.
REPOST_HOSTS = ["news.zumst.com", "j9dan.com", "keyzard.org", "theyouthdream.com", "blog.jinbo.net",
                "m.ohmynews.com/NWS_Web/Mobile/amp.aspx"]
# Words with which the notes say a record leans on a copy of the report.
REPOST_WORDS = re.compile(r"repost|mirror|forum|blog|aggregator|teaser|proxy|reprint", re.I)
# Notes that use those words of something else: a repost that was replaced
# or one that is only mentioned beside the original.
NOT_REPOST = {  # (pollster, start_date, topic)
    ("Gallup Korea", "2022-09-27", ""),  # the repost was replaced by MBC's report
    ("Gallup Korea", "2024-12-03", ""),  # a repost is only compared
    ("Research View", "2023-05-19", "fukushima-release-oppose"),  # a repost is only compared
    ("Research View", "2024-08-15", "fukushima-govt-response"),  # a repost's dates are only mentioned
    ("Yeoronjosa Gongjeong (Public Opinion Fair)", "2023-07-10", "fukushima-iaea-trust"),  # not recorded from the blog
}

# Standard method of each approval pollster, as the sources describe it.
STANDARD_MODE = {
    "Gallup Korea": "telephone interview (CATI)",
    "Realmeter": "ARS",
    "NBS": "telephone interview, mobile virtual numbers",
    "Metrix": "telephone interview",
    "Media Tomato": "ARS",
    "Korea Research": "telephone interview",
}
SHORT_NAME = {
    "NBS (Embrain Public, Kstat Research, Korea Research, Hankook Research)": "NBS",
    "KSOI (Korea Society Opinion Institute)": "KSOI",
    "Hankook Ilbo / Yomiuri joint survey (Korean fieldwork firm not named in sources read)": "Hankook Ilbo–Yomiuri joint survey",
}


def shorten(r):
    full = r["pollster"]
    r["pollster"] = SHORT_NAME.get(full, full)
    if full != r["pollster"]:
        r["notes"] = "; ".join(x for x in ["pollster as the source names it: " + full, r.get("notes", "")] if x)
    return r
APPROVAL_WORDING = {
    "Gallup Korea": "윤석열 대통령이 대통령으로서의 직무를 잘 수행하고 있다고 보십니까, 잘못 수행하고 있다고 보십니까? (Gallup Korea standard job-approval item)",
}
APPROVAL_WORDING_OTHER = ("President Yoon's job approval: approve (doing well) vs disapprove (doing badly), "
                          "as the report gives them; this pollster's exact wording was not transcribed.")

# Topics of kr_japan_issue_polls_2023.csv and the question each is seeded in.
TOPICS = {
    "forced-labour-plan": "kr-forced-labor-plan-2023",
    "fukushima-release-oppose": "kr-fukushima-release",
    "fukushima-worry": "kr-fukushima-worry",
    "fukushima-govt-response": "kr-fukushima-govt-response",
    "fukushima-japan-claim-trust": "kr-fukushima-japan-claim-trust",
    "fukushima-iaea-trust": "kr-fukushima-iaea-trust",
    "japan-favourable": "kr-japan-favourable",
    "japan-impression": "kr-japan-impression",
    "kr-jp-relations-good": "kr-jp-relations",
}


def rows(name):
    with open(os.path.join(here, name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def is_repost(r):
    if (r["pollster"], r["start_date"], r.get("topic", "")) in NOT_REPOST:
        return False
    if any(h in r["source_url"] for h in REPOST_HOSTS):
        return True
    own = r.get("notes", "").split("other report(s) read:")[0]
    return bool(REPOST_WORDS.search(own))


def mark(r):
    if is_repost(r):
        r["notes"] = REPOST + r.get("notes", "")
    return r


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


def korean(src, extra=()):
    recs = []
    for r in rows(src):
        d = details.get((src, r["pollster"], r["start_date"]))
        if d:
            r["wording"] = d["question_and_label_mapping"]
            r["notes"] = ("also: " + d["additional_sources"]) if d["additional_sources"] else ""
        recs.append(mark(r))
    return recs + list(extra)


issues = {}
for r in rows("kr_japan_issue_polls_2023.csv"):
    qid = TOPICS.get(r["topic"])
    if qid is None:
        continue  # a single poll: kept in the sources only
    if qid == "kr-forced-labor-plan-2023" and "Yomiuri" in r["sponsor"]:
        r["wording"] = EVALUATION + r["wording"]
    issues.setdefault(qid, []).append(mark(shorten(r)))

write("kr-forced-labor-plan-2023.csv", "kr-forced-labor-plan-2023", ["support", "oppose", "undecided"],
      korean("kr_forced_labor_2023.csv", issues.pop("kr-forced-labor-plan-2023")))
write("kr-japan-summit-evaluation.csv", "kr-japan-summit-evaluation", ["support", "oppose", "undecided"],
      korean("kr_yoon_kishida_summit_2023.csv"))
for qid, recs in sorted(issues.items()):
    write(qid + ".csv", qid, ["support", "oppose", "undecided"], recs)

jp = rows("jp_polls_kr_forced_labor_summit_2023.csv")
for topic_prefix, qid in [("Korean government forced-labour solution", "jp-korea-plan-2023"),
                          ("Yoon-Kishida summit", "jp-summit-2023")]:
    recs = []
    for r in jp:
        if r["topic"].startswith(topic_prefix):
            r["wording"] = r["topic"]
            recs.append(mark(r))
    write(qid + ".csv", qid, ["support", "oppose", "undecided"], recs)

recs = []
for r in rows("kr_yoon_approval_polls.csv"):
    shorten(r)
    std = STANDARD_MODE.get(r["pollster"])
    if std and not r["mode"]:
        r["mode"] = std + " (" + r["pollster"] + "'s standard method; this report does not print the mode)"
    elif std and r["mode"] and "ARS" not in r["mode"] and "interview" not in r["mode"]:
        r["mode"] = std + " (" + r["pollster"] + "'s standard method; this report prints only: " + r["mode"] + ")"
    r["wording"] = APPROVAL_WORDING.get(r["pollster"], APPROVAL_WORDING_OTHER)
    recs.append(mark(r))
write("kr-yoon-approval.csv", "kr-yoon-approval", ["approve", "disapprove"], recs)
