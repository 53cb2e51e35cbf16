package web

func init() {
	addMessages(map[string][2]string{
		"nav.label":       {"사이트 메뉴", "Site menu"},
		"nav.questions":   {"질문 목록", "Questions"},
		"nav.methodology": {"방법론", "Methodology"},
		"nav.api":         {"데이터 API", "Data API"},
		"nav.upload":      {"조사기관 업로드", "For pollsters"},
		"footer.about":    {"pollagg: 공개 여론조사를 모아 평균을 내는 오픈소스 도구. 각 조사는 출처와 함께 표시됩니다.", "pollagg: an open-source aggregator of published opinion polls. Every poll is shown with its source."},
	})
}
