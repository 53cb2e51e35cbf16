package web

import "github.com/pollagg/pollagg/web/site"

// Messages of the embed page, the embed code and the feeds: key → [Korean, English].
func init() {
	site.AddMessages(map[string][2]string{
		"embed.data":      {"자료", "data"},
		"embed.polls":     {"조사 %d건", "%d polls"},
		"embed.polls.one": {"조사 %d건", "%d poll"},
		"embed.more":      {"외 %d곳", "%d more"},
		"embed.more.one":  {"외 %d곳", "%d more"},
		"embed.full":      {"전체 차트와 표 보기", "full chart and tables"},

		"q.embed":      {"기사에 넣기", "Embed in an article"},
		"q.embed.help": {"아래 코드를 기사 HTML에 붙여 넣으면 이 보기의 차트가 들어갑니다. 새 조사가 올라오면 차트도 바뀝니다.", "Paste this code into an article's HTML to show this view's chart; it updates when new polls arrive."},
		"q.embed.code": {"삽입 코드", "Embed code"},
		"q.feed":       {"새 조사 알림 (Atom 피드)", "New polls (Atom feed)"},
		"index.feed":   {"모든 질문의 새 조사 알림 (Atom 피드)", "New polls of every question (Atom feed)"},

		"feed.site.title":       {"pollagg: 새 여론조사", "pollagg: new polls"},
		"feed.question.title":   {"pollagg: %s", "pollagg: %s"},
		"feed.kind.poll":        {"새 조사", "new poll"},
		"feed.kind.correction":  {"정정", "correction"},
		"feed.kind.retraction":  {"철회", "retraction"},
		"feed.title.poll":       {"새 조사: %s, %s", "New poll: %s, %s"},
		"feed.title.correction": {"정정: %s, %s", "Corrected: %s, %s"},
		"feed.title.retraction": {"철회: %s, %s", "Retracted: %s, %s"},
		"feed.sponsor":          {"의뢰: %s", "sponsor: %s"},
		"feed.note.correction":  {"(정정본 %d)", "(revision %d)"},
		"feed.note.retraction":  {"(이 조사는 철회되어 평균에서 빠졌습니다)", "(this poll was retracted and left the averages)"},
	})
}
