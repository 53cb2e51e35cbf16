package web

import "github.com/pollagg/pollagg/web/site"

// Calibration against reality: the band's meaning, results, the form's
// shared error and ratings, and the pollster ratings page.
func init() {
	site.AddMessages(map[string][2]string{
		"q.band":             {"음영 구간은 실제 비율이 95%% 확률로 들어 있는 범위로, 모든 조사가 함께 틀리는 오차 ±%s%%p를 포함합니다(%s).", "The shaded band is where the true share lies with 95%% probability, allowing for ±%s points of error that all polls share (%s)."},
		"q.band.learned":     {"결과가 있는 질문 %d개에서 학습한 값, 조사기관 %d곳 기준", "learned from %d questions with results, for %d pollsters"},
		"q.band.default":     {"기본값: 공표된 선거 여론조사 연구에서, 조사기관 %d곳 기준", "the default for %d pollsters, from published election polls"},
		"q.band.view":        {"이 보기에서 정한 값", "set in this view"},
		"q.band.zero":        {"음영 구간은 조사들이 함께 틀리는 오차가 없다고 볼 때(shared_error=0) 실제 비율이 95% 확률로 들어 있는 범위입니다.", "The shaded band is where the true share lies with 95% probability if polls share no error (shared_error=0)."},
		"q.sharederror":      {"공통 오차(%p)", "Shared error (points)"},
		"q.sharederror.help": {"모든 조사가 함께 틀리는 오차(표준편차). 비우면 기본값", "error all polls share (standard deviation); empty for the default"},
		"q.ratings":          {"조사기관 평가 반영", "Pollster ratings"},
		"q.result":           {"실제 결과", "Result"},
		"q.result.text":      {"%s 실제 결과:", "The result on %s:"},
		"q.result.revisions": {"결과 수정 기록", "Revisions of the result"},
		"q.result.rev":       {"%d판, %s 기록", "revision %d, recorded %s"},
		"chart.result":       {"실제 결과", "Result"},

		// API page
		"api.p.shared_error": {"모든 조사가 함께 틀리는 오차(%p, 표준편차). 평균의 95% 구간(lower, upper)에 더해지며, 새 조사 범위(poll_lower, poll_upper)에는 더해지지 않습니다. 비우면 결과에서 학습한 값(없으면 2.5). 0이면 조사만의 구간.", "Error all polls share, in points (standard deviation): added to the average's 95% band (lower, upper), not to the new-poll range (poll_lower, poll_upper). Absent: the value learned from results (2.5 without any). 0 gives the band of the polls alone."},
		"api.p.ratings":      {"조사기관 평가(가중치·편향)를 평균에 반영할지 여부.", "Whether the pollster ratings (weights and biases) feed the average."},
		"api.e.pollsters":    {"조사기관 평가: 결과가 있는 질문에서 학습한 편향·초과 오차·가중치(표준오차 포함).", "Pollster ratings: bias, excess error and weight learned from the questions with results, with standard errors."},

		// pollster ratings
		"nav.pollsters":    {"조사기관 평가", "Pollster ratings"},
		"pr.title":         {"조사기관 평가", "Pollster ratings"},
		"pr.intro":         {"결과(선거·국민투표)가 있는 질문에서 각 조사기관의 조사가 실제 결과와 얼마나 달랐는지를 봅니다. 편향은 같은 질문을 조사한 다른 기관과 비교한 기울기이고, 초과 오차는 표본 크기로 설명되는 것보다 얼마나 더(+) 또는 덜(−) 틀리는지입니다.", "From the questions with a result (an election, a referendum): how far each pollster's polls were from the outcome. Bias is its lean against the other pollsters of the same questions; excess error is how much more (+) or less (−) it misses than its sample sizes explain."},
		"pr.shrink":        {"근거가 적은 기관의 평가는 0(업계 평균)쪽으로 줄어듭니다(경험적 베이즈 축소). 조사 한두 건으로는 편향이나 정확도를 알 수 없기 때문입니다. 괄호 안은 표준오차입니다. 가중치는 각 기관의 조사가 평균에서 받는 품질 가중치로, 1이 평균입니다.", "A pollster with little evidence has its rating shrunk toward zero, the industry's average (empirical Bayes): one or two polls cannot tell its bias or accuracy. Standard errors are in brackets. The weight is the quality weight its polls get in every average; 1 is average."},
		"pr.from":          {"결과가 있는 질문 %d개, 그 이전 조사 %d건에서 계산(최근 결과 %s).", "Computed from %d questions with results and their %d polls before them (latest result %s)."},
		"pr.sharederror":   {"학습된 공통 오차(방법별, %%p; 조사기관 J곳의 평균이면 √(업계² + 조사기관²/J)): %s", "Learned shared error (by method, points; for an average of J pollsters √(industry² + pollster²/J)): %s"},
		"pr.none":          {"아직 평가가 없습니다: 이 데이터베이스에는 결과가 있는 질문이 없습니다.", "No ratings yet: this database has no question with a result."},
		"pr.col.pollster":  {"조사기관", "Pollster"},
		"pr.col.questions": {"질문", "Questions"},
		"pr.col.polls":     {"조사", "Polls"},
		"pr.col.mae":       {"평균 절대 오차", "Mean abs. error"},
		"pr.col.bias":      {"편향(응답별)", "Bias (by answer)"},
		"pr.col.excess":    {"초과 오차", "Excess error"},
		"pr.col.weight":    {"가중치", "Weight"},
		"pr.caption":       {"평가된 조사기관 %d곳, 이름순. 오차와 편향은 퍼센트포인트.", "The %d rated pollsters by name. Errors and biases in percentage points."},
		"pr.caption.one":   {"평가된 조사기관 %d곳. 오차와 편향은 퍼센트포인트.", "The %d rated pollster. Errors and biases in percentage points."},
		"poll.rating":      {"조사기관 평가", "Pollster rating"},
		"poll.rating.text": {"결과가 있는 질문 %d개·조사 %d건 기준: 초과 오차 %s (±%s), 가중치 %s.", "From %d questions with results and %d polls: excess error %s (±%s), weight %s."},
		"poll.rating.none": {"이 조사기관은 아직 평가가 없습니다.", "This pollster has no rating yet."},
		"poll.rating.link": {"모든 조사기관 평가", "All pollster ratings"},
	})
}
