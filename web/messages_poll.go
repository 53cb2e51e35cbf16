package web

import "github.com/pollagg/pollagg/web/site"

// Messages of the poll page: key → [Korean, English].
func init() {
	site.AddMessages(map[string][2]string{
		"poll.question":        {"질문", "Question"},
		"poll.pollster":        {"조사기관", "Pollster"},
		"poll.sponsor":         {"의뢰기관", "Sponsor"},
		"poll.dates":           {"조사 기간", "Field dates"},
		"poll.sample":          {"표본 수", "Sample size"},
		"poll.population":      {"조사 대상", "Population"},
		"poll.mode":            {"조사 방법", "Mode"},
		"poll.response_rate":   {"응답률", "Response rate"},
		"poll.moe":             {"표본오차 (95% 신뢰수준)", "Margin of error (95%)"},
		"poll.weighting":       {"가중치", "Weighting"},
		"poll.wording":         {"질문 문구", "Question wording"},
		"poll.source":          {"출처", "Source"},
		"poll.registry":        {"등록번호", "Registry number"},
		"poll.notes":           {"비고", "Notes"},
		"poll.external_id":     {"조사기관의 조사 ID", "Pollster's poll ID"},
		"poll.id":              {"pollagg 조사 ID", "pollagg poll ID"},
		"poll.notreported":     {"공개되지 않음", "Not reported"},
		"poll.results":         {"결과", "Results"},
		"poll.option":          {"응답", "Answer"},
		"poll.pct":             {"비율", "Share"},
		"poll.label":           {"조사기관 표기", "Pollster's label"},
		"poll.retracted":       {"이 조사는 %s에 철회되었습니다 (철회: %s).", "This poll was retracted on %s (by %s)."},
		"poll.retracted.note":  {"어떤 평균에도 들어가지 않으며, 기록으로만 남겨 둡니다.", "It no longer counts in any average; it stays here for the record."},
		"poll.history":         {"개정 이력", "Revision history"},
		"poll.history.note":    {"조사기관이 수치를 고쳐 다시 올리면 새 개정판이 생기고, 이전 판은 그대로 남습니다.", "When a pollster re-uploads corrected numbers a new revision is made; earlier ones are kept."},
		"poll.rev":             {"%d판", "Revision %d"},
		"poll.rev.upload":      {"업로드 %s", "upload %s"},
		"poll.rev.uploadby":    {"계정 %s, 파일 SHA-256 %s", "account %s, file SHA-256 %s"},
		"poll.rev.first":       {"처음 게시됨", "First published"},
		"poll.rev.field":       {"항목", "Field"},
		"poll.rev.from":        {"이전", "Before"},
		"poll.rev.to":          {"이후", "After"},
		"poll.rev.none":        {"(없음)", "(none)"},
		"poll.back":            {"이 질문의 차트와 평균 보기", "See this question's chart and average"},
		"poll.mode.phone-live": {"전화면접", "Live phone"},
		"poll.mode.phone-ars":  {"ARS(자동응답)", "Automated phone (ARS)"},
		"poll.mode.online":     {"온라인", "Online"},
		"poll.mode.mixed":      {"혼합", "Mixed"},
		"poll.mode.unknown":    {"밝히지 않음", "Not reported"},
	})
}
