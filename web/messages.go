package web

import "github.com/pollagg/pollagg/web/site"

// Site-wide strings: the layout's navigation, footer and error pages.
// Each area keeps its own strings beside its code (messages_dashboard.go,
// and so on); every key has a Korean and an English text.
func init() {
	site.AddMessages(map[string][2]string{
		"site.name":         {"pollagg", "pollagg"},
		"site.tagline":      {"공개 여론조사 평균", "Public opinion poll averages"},
		"nav.label":         {"사이트 메뉴", "Site menu"},
		"nav.questions":     {"질문 목록", "Questions"},
		"nav.methodology":   {"방법론", "Methodology"},
		"nav.api":           {"데이터 API", "Data API"},
		"nav.upload":        {"조사기관 업로드", "For pollsters"},
		"nav.skip":          {"본문으로 건너뛰기", "Skip to content"},
		"nav.language":      {"언어", "Language"},
		"footer.about":      {"pollagg: 공개 여론조사를 모아 평균을 내는 오픈소스 도구. 각 조사는 출처와 함께 표시됩니다.", "pollagg: an open-source aggregator of published opinion polls. Every poll is shown with its source."},
		"footer.selfhost":   {"이 사이트는 외부 서버에서 아무것도 불러오지 않습니다(차트 라이브러리 Apache ECharts 포함).", "This site loads nothing from other servers (the chart library, Apache ECharts, included)."},
		"error.back":        {"질문 목록으로 돌아가기", "Back to the questions"},
		"error.title.400":   {"잘못된 요청", "Bad request"},
		"error.title.404":   {"찾을 수 없음", "Not found"},
		"error.title.500":   {"서버 오류", "Server error"},
		"error.title.other": {"오류", "Error"},
	})
}
