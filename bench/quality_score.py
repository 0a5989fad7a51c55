#!/usr/bin/env python3
"""bench/quality_score.py — scores general summaries of QMSum meetings (stdlib only).

bench/quality.sh runs tacit and leaves, in its work folder, per meeting M:
  meetings/M.json            the QMSum file the model read (cut to --max-turns)
  segments/M.json            `tacit export ID --format json` of the imported meeting
  MODEL/M.summary.json       `tacit summarize ID --json` (absent when it failed)
  MODEL/M.err, MODEL/M.time  its stderr and wall seconds
This prints one Markdown table per model, the same meetings in each:
  R1, R2, RL   ROUGE-1/2/L F1 of the summary's text (title, overview and every item)
               against the reference general summary (lowercased words; no stemming)
  cite-prec    share of citations [S n] whose segment shares a content word (not a
               stop word, 3+ letters) with the item that cites it
  topics       share of the reference topics whose turn spans hold a cited segment
  lang         the summary's text reads as English (QMSum's language) by stop words
  grammar      the run failed or its JSON is not the general template's shape
`--self-test` checks the scoring on a hand-made case.
"""
import argparse
import json
import os
import re
import sys

STOP = set("""a about after all also an and any are as at be been but by can could did do does for from had has
have he her his how i if in into is it its me my no not of on or our she so some than that the their them then
there these they this to up us was we were what when where which who why will with would you your yeah okay um uh
mm hmm just like so well oh right gonna got get one think know really yes""".split())

LANG_WORDS = {
    "en": set("the and is are of to in that it was we for with this on".split()),
    "fr": set("le la les et est sont de des du un une que nous pour avec dans".split()),
    "es": set("el la los las y es son de del un una que nosotros para con en".split()),
    "de": set("der die das und ist sind von zu ein eine dass wir für mit im".split()),
}

SECTIONS = ("key_points", "decisions", "action_items", "open_questions")


def words(text):
    return re.findall(r"[a-z0-9]+", re.sub(r"\{[a-z]+\}", " ", text.lower()))


def content(text):
    return {w for w in words(text) if len(w) >= 3 and w not in STOP}


def ngrams(ws, n):
    out = {}
    for i in range(len(ws) - n + 1):
        g = tuple(ws[i:i + n])
        out[g] = out.get(g, 0) + 1
    return out


def f1(overlap, n_sys, n_ref):
    if not overlap or not n_sys or not n_ref:
        return 0.0
    p, r = overlap / n_sys, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_n(sys_ws, ref_ws, n):
    s, r = ngrams(sys_ws, n), ngrams(ref_ws, n)
    overlap = sum(min(c, r.get(g, 0)) for g, c in s.items())
    return f1(overlap, sum(s.values()), sum(r.values()))


def rouge_l(sys_ws, ref_ws):
    if not sys_ws or not ref_ws:
        return 0.0
    prev = [0] * (len(ref_ws) + 1)
    for a in sys_ws:
        cur = [0]
        for j, b in enumerate(ref_ws):
            cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))
        prev = cur
    return f1(prev[-1], len(sys_ws), len(ref_ws))


def language(text):
    ws = words(text)
    scores = {k: sum(w in v for w in ws) for k, v in LANG_WORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else ""


def items(summary):
    """(text, cites) for every item of the general template."""
    for sec in SECTIONS:
        for it in summary.get(sec) or []:
            if isinstance(it, dict):
                text = " ".join(str(it.get(k) or "") for k in ("text", "task", "owner", "due"))
                yield text, [c for c in it.get("cites") or [] if isinstance(c, int)]


def summary_text(summary):
    parts = [str(summary.get("title") or ""), str(summary.get("overview") or "")]
    parts += [t for t, _ in items(summary)]
    return " ".join(parts)


def well_formed(summary):
    return (isinstance(summary, dict) and isinstance(summary.get("overview"), str)
            and all(isinstance(summary.get(s), list) for s in SECTIONS))


def align(turns, segments):
    """The QMSum turn index of each stored segment (1-based [S n] -> turn), in order:
    import drops turns left empty by {vocalsound} markers, so count is not enough."""
    turn_words = [words(t.get("content", "")) for t in turns]
    out, t = {}, 0
    for n, seg in enumerate(segments, 1):
        sw = words(seg.get("text", ""))
        k = t
        while k < len(turns) and sw and sw[:3] != turn_words[k][:3]:
            k += 1
        if k < len(turns):
            t = k
        out[n] = t
        t = min(t + 1, len(turns) - 1) if sw and k < len(turns) else t
    return out


def score(meeting, segments, summary):
    ref = " ".join(q.get("answer", "") for q in meeting.get("general_query_list", [])[:1])
    text = summary_text(summary)
    sw, rw = words(text), words(ref)
    seg_text = {n: s.get("text", "") for n, s in enumerate(segments, 1)}
    turn_of = align(meeting.get("meeting_transcripts", []), segments)
    n_cites = good = 0
    cited_turns = set()
    for it_text, cites in items(summary):
        ic = content(it_text)
        for c in cites:
            n_cites += 1
            good += bool(ic & content(seg_text.get(c, "")))
            if c in turn_of:
                cited_turns.add(turn_of[c])
    topics = meeting.get("topic_list", [])
    covered = 0
    for tp in topics:
        spans = [(int(a), int(b)) for a, b in tp.get("relevant_text_span", [])]
        covered += any(a <= t <= b for t in cited_turns for a, b in spans)
    return {
        "r1": rouge_n(sw, rw, 1), "r2": rouge_n(sw, rw, 2), "rl": rouge_l(sw, rw),
        "cite_prec": good / n_cites if n_cites else None, "n_cites": n_cites,
        "topics": covered / len(topics) if topics else None, "n_topics": len(topics),
        "lang": language(text), "grammar_ok": well_formed(summary),
    }


def cut(meeting, max_turns):
    """The meeting's first max_turns turns, with the topics that begin within them
    (their spans clipped), so references and topics speak of what the model read."""
    if not max_turns or len(meeting["meeting_transcripts"]) <= max_turns:
        return meeting
    m = dict(meeting)
    m["meeting_transcripts"] = meeting["meeting_transcripts"][:max_turns]
    topics = []
    for tp in meeting.get("topic_list", []):
        spans = [[a, str(min(int(b), max_turns - 1))] for a, b in tp.get("relevant_text_span", [])
                 if int(a) < max_turns]
        if spans:
            topics.append({"topic": tp["topic"], "relevant_text_span": spans})
    m["topic_list"] = topics
    return m


def fmt(v, pct=False):
    if v is None:
        return "n/a"
    return f"{100 * v:.1f}" if pct else f"{v:.3f}"


def table(work, model, names):
    rows, agg = [], {"r1": [], "r2": [], "rl": [], "cite_prec": [], "topics": [], "lang": [], "fail": [], "time": []}
    for name in names:
        meeting = json.load(open(os.path.join(work, "meetings", name + ".json")))
        segments = json.load(open(os.path.join(work, "segments", name + ".json"))).get("segments", [])
        base = os.path.join(work, model, name)
        t = open(base + ".time").read().strip() if os.path.exists(base + ".time") else ""
        try:
            summary = json.load(open(base + ".summary.json"))
        except (OSError, ValueError):
            summary = None
        if summary is None or not well_formed(summary):
            rows.append(f"| {name} | fail | | | | | | yes | {t} |")
            agg["fail"].append(1)
            continue
        s = score(meeting, segments, summary)
        lang_ok = s["lang"] == "en"
        agg["fail"].append(0)
        for k in ("r1", "r2", "rl", "cite_prec", "topics"):
            if s[k] is not None:
                agg[k].append(s[k])
        agg["lang"].append(lang_ok)
        if t:
            agg["time"].append(float(t))
        rows.append(f"| {name} | {fmt(s['r1'])} | {fmt(s['r2'])} | {fmt(s['rl'])} | "
                    f"{fmt(s['cite_prec'], True)} ({s['n_cites']}) | {fmt(s['topics'], True)} of {s['n_topics']} | "
                    f"{s['lang'] or 'none'}{'' if lang_ok else ' (wrong)'} | no | {t} |")
    mean = lambda v: sum(v) / len(v) if v else None
    out = [f"### {model}", "",
           "| meeting | R1 | R2 | RL | cite-prec % (cites) | topics % | lang | grammar fail | s |",
           "|---|---|---|---|---|---|---|---|---|"] + rows
    out.append(f"| **all {len(names)}** | {fmt(mean(agg['r1']))} | {fmt(mean(agg['r2']))} | {fmt(mean(agg['rl']))} | "
               f"{fmt(mean(agg['cite_prec']), True)} | {fmt(mean(agg['topics']), True)} | "
               f"{sum(agg['lang'])}/{len(agg['lang'])} en | {sum(agg['fail'])}/{len(names)} | "
               f"{sum(agg['time']):.0f} |")
    return "\n".join(out) + "\n"


def self_test():
    meeting = {
        "meeting_transcripts": [
            {"speaker": "A", "content": "{vocalsound}"},
            {"speaker": "A", "content": "We choose the rubber buttons for the remote."},
            {"speaker": "B", "content": "The budget is twelve euros."},
            {"speaker": "A", "content": "Lunch now."},
        ],
        "topic_list": [{"topic": "buttons", "relevant_text_span": [["0", "1"]]},
                       {"topic": "budget", "relevant_text_span": [["2", "2"]]},
                       {"topic": "lunch", "relevant_text_span": [["3", "3"]]}],
        "general_query_list": [{"answer": "They chose rubber buttons and set the budget."}],
    }
    segments = [{"text": "We choose the rubber buttons for the remote."}, {"text": "The budget is twelve euros."},
                {"text": "Lunch now."}]  # the empty turn was dropped: S1 is turn 1
    summary = {"title": "Remote", "overview": "They chose rubber buttons and set the budget.",
               "key_points": [{"text": "Rubber buttons were chosen", "cites": [1]},
                              {"text": "The budget was set", "cites": [3]}],
               "decisions": [], "action_items": [], "open_questions": []}
    s = score(meeting, segments, summary)
    assert align(meeting["meeting_transcripts"], segments) == {1: 1, 2: 2, 3: 3}
    assert s["cite_prec"] == 0.5, s  # [S3] "Lunch now." shares nothing with "budget"
    assert abs(s["topics"] - 2 / 3) < 1e-9, s  # buttons (turn 1) and lunch (turn 3)
    assert s["r1"] > 0.5 and s["r2"] > 0.3 and s["rl"] > 0.5 and s["lang"] == "en" and s["grammar_ok"], s
    assert rouge_n(words("a b c"), words("a b c"), 2) == 1.0 and rouge_l(words("a x b"), words("a b")) == 0.8
    assert language("le budget est fixé et les boutons sont choisis") == "fr"
    assert not well_formed({"overview": "x"})
    c = cut(meeting, 2)
    assert len(c["meeting_transcripts"]) == 2 and [t["topic"] for t in c["topic_list"]] == ["buttons"]
    print("quality_score self-test: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", help="bench/quality.sh's work folder")
    ap.add_argument("--models", nargs="*", default=[], help="the model folders under --work, in order")
    ap.add_argument("--cut", nargs=3, metavar=("SRC", "DST", "MAX_TURNS"), help="write SRC cut to MAX_TURNS turns")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return
    if a.cut:
        src, dst, n = a.cut
        json.dump(cut(json.load(open(src)), int(n)), open(dst, "w"))
        return
    names = sorted(f[:-5] for f in os.listdir(os.path.join(a.work, "meetings")) if f.endswith(".json"))
    for m in a.models:
        print(table(a.work, m, names))


if __name__ == "__main__":
    sys.exit(main())
