package web

import "github.com/pollagg/pollagg/web/site"

// Messages of the API page (templates/api.html): [Korean, English].
func init() {
	site.AddMessages(map[string][2]string{
		"api.title": {"데이터 API와 내려받기", "Data API and downloads"},
		"api.intro": {
			"모든 평균과 그 바탕이 된 조사를 JSON 또는 CSV로 내려받을 수 있습니다. 파일마다 그 숫자를 만든 매개변수와 데이터 버전이 함께 적혀 있어, 같은 요청은 같은 데이터에서 언제나 같은 바이트를 돌려줍니다. R, pandas, 스프레드시트에서 한 줄로 불러오세요.",
			"Every average and the polls behind it, as JSON or CSV. Each file names the parameters that produced its numbers and the data version, and the same request on the same data always returns the same bytes. Load them into R, pandas or a spreadsheet in one line.",
		},
		"api.static": {
			"이 사이트는 정적 사본입니다: 각 파일은 기본 매개변수로 계산한 것입니다. 다른 매개변수는 pollagg 서버나 명령행(pollagg series)으로 요청하세요.",
			"This site is a static copy: each file holds the default parameters. Ask for others from a pollagg server or its command line (pollagg series).",
		},
		"api.nobase": {
			"아래 예시의 YOUR-SITE를 이 사이트의 주소로 바꾸세요.",
			"Replace YOUR-SITE in the examples below with this site's address.",
		},
		"api.quick":      {"한 줄로 불러오기", "One-line examples"},
		"api.quick.text": {"CSV 파일의 첫 몇 줄은 '#'로 시작하는 설명(매개변수, 데이터 버전)입니다. 아래처럼 주석 문자를 '#'으로 지정하면 건너뜁니다. 경로 끝의 .csv·.json이 형식을 정합니다.", "A CSV file's first lines start with '#' and name its parameters and data version; tell the reader that '#' starts a comment, as below, and they are skipped. A path ending in .csv or .json chooses the format."},
		"api.quick.params": {
			"매개변수는 쿼리 문자열로 지정합니다(아래 표 참고). 기본값과 다른 것만 적으면 됩니다.",
			"Choose parameters in the query string (see the table below); give only those that differ from the defaults.",
		},
		"api.endpoints":   {"엔드포인트", "Endpoints"},
		"api.col.path":    {"경로", "Path"},
		"api.col.what":    {"설명", "What it returns"},
		"api.col.example": {"예시", "Example"},
		"api.e.questions": {"모든 질문: 선택지, 사건, 조사 수, 마지막 갱신 시각", "Every question: options, events, poll counts, last update"},
		"api.e.question":  {"질문 하나: 선택지, 사건, 조사기관별 조사 수, 마지막 갱신 시각", "One question: options, events, polls per pollster, last update"},
		"api.e.polls": {
			"질문의 모든 조사와 그 모든 항목, 조사기관의 하우스 효과, 마지막 날 평균에서의 가중치. 철회된 조사는 include_retracted=true일 때만",
			"Every poll of the question with all its fields, its pollster's house effect and its weight on the last day; retracted polls only with include_retracted=true",
		},
		"api.e.series": {
			"일별 평균: 날짜·선택지별 한 행(date, answer, estimate, lower, upper, poll_lower, poll_upper, n_eff와 매개변수)",
			"The daily average as tidy rows, one per day and answer (date, answer, estimate, lower, upper, poll_lower, poll_upper, n_eff and the parameters)",
		},
		"api.e.house":   {"조사기관(및 조사 방식)별 하우스 효과와 표준오차", "House effects of each pollster (and survey mode) with standard errors"},
		"api.e.openapi": {"이 API의 OpenAPI 3 명세", "This API's OpenAPI 3 description"},

		"api.downloads":    {"질문별 내려받기 (기본 매개변수)", "Downloads per question (default parameters)"},
		"api.col.question": {"질문", "Question"},
		"api.col.polls":    {"조사 수", "Polls"},
		"api.col.series":   {"일별 평균", "Daily average"},
		"api.col.pollsdl":  {"조사 목록", "Polls"},
		"api.col.house":    {"하우스 효과", "House effects"},

		"api.params": {"매개변수", "Parameters"},
		"api.params.text": {
			"polls, series, house-effects는 차트와 같은 매개변수와 같은 기본값을 씁니다. 잘못된 값이나 모르는 매개변수에는 무엇이 틀렸고 무엇을 받는지 알려 주는 400 응답을 돌려줍니다.",
			"polls, series and house-effects take the chart's parameters, with the chart's defaults. A wrong value or an unknown parameter gets a 400 that names the parameter and what it accepts.",
		},
		"api.col.param":   {"매개변수", "Parameter"},
		"api.col.accepts": {"허용값", "Accepts"},
		"api.col.default": {"기본값", "Default"},
		"api.p.format": {
			"응답 형식. 생략하면 Accept 헤더(text/csv)를 따르고, 그마저 없으면 JSON. 경로 끝의 .csv·.json도 같은 뜻",
			"Response format; without it the Accept header decides (text/csv), else JSON. A path ending in .csv or .json does the same",
		},
		"api.p.method":         {"평균 방법 (방법론 참고)", "Averaging method (see Methodology)"},
		"api.p.half_life":      {"최근성 반감기(일): 이만큼 오래된 조사는 절반의 가중치", "Recency half-life in days: a poll this much older counts half"},
		"api.p.window":         {"latest와 weighted가 거슬러 보는 일수", "Days that latest and weighted look back"},
		"api.p.span":           {"loess 이웃의 크기(조사 비율)", "loess neighbourhood as a fraction of the polls"},
		"api.p.adjust_house":   {"조사기관별 하우스 효과를 빼고 평균", "Subtract each pollster's house effect before averaging"},
		"api.p.adjust_mode":    {"조사 방식(ARS, 전화면접 등)별 효과를 빼고 평균", "Subtract each survey mode's effect (ARS, live phone…) before averaging"},
		"api.p.drop_undecided": {"모름·무응답을 빼고 나머지를 100으로 다시 맞춤", "Drop the undecided answer and renormalise the others to 100"},
		"api.p.from_to":        {"돌려줄 날짜 범위 (polls는 조사 기간이 겹치는 조사)", "Days to return (polls: those whose field period overlaps)"},
		"api.p.pollster":       {"이 조사기관의 조사만 (여러 번 지정 가능)", "Only this pollster's polls (repeatable)"},
		"api.p.mode":           {"이 조사 방식의 조사만 (쉼표로 구분)", "Only polls of these modes (comma-separated)"},
		"api.p.answers":        {"이 선택지만 (쉼표로 구분)", "Only these answers (comma-separated)"},
		"api.p.include_retracted": {
			"polls만: 철회된 조사도 retracted 시각과 함께 포함",
			"polls only: list retracted polls too, with the time they were retracted",
		},

		"api.columns":    {"열의 뜻", "What the columns mean"},
		"api.c.estimate": {"평균. 응답자 비율(%, 0–100)", "The average, percent of respondents (0–100)"},
		"api.c.band": {
			"평균 자체의 95% 구간: 조사들로 보아 실제 여론이 있을 범위. 차트의 띠",
			"95% interval of the average itself: where the true share of opinion is, given the polls. The chart's band",
		},
		"api.c.pollband": {
			"새 조사 하나(보통 크기)가 나올 것으로 예상되는 95% 범위: 표본오차와 비표본오차 포함. lower/upper보다 넓음",
			"95% range in which a new poll of typical size is expected to fall: sampling plus non-sampling error. Wider than lower/upper",
		},
		"api.c.neff":   {"그날 추정에 실질적으로 기여한 조사 수(Kish 유효 표본 수)", "Effective number of polls behind the day's estimate (Kish)"},
		"api.c.weight": {"평균의 마지막 날 추정에서 그 조사가 차지하는 몫(0–1)", "The poll's share of the average's last-day estimate (0–1)"},
		"api.c.effect": {"조사기관이 평균보다 높게(+) 또는 낮게(−) 내는 정도(%p)", "How many points a pollster reports above (+) or below (−) the average"},

		"api.repro": {"재현성", "Reproducibility"},
		"api.repro.text": {
			"CSV의 첫 줄은 데이터셋, 질문, 모든 매개변수(엔진의 고정 설정 포함), 데이터 버전과 마지막 갱신 시각, 그리고 모든 매개변수를 명시한 재현용 URL(generated_from)을 적습니다. JSON에는 같은 내용이 parameters, data_version, data_updated, generated_from에 있습니다. 파일 이름도 이를 담습니다(예: 질문_series_kalman_v12.csv). 응답에 '지금' 시각은 들어가지 않으므로, 같은 데이터에 같은 요청은 같은 바이트입니다.",
			"A CSV's first line names the dataset, the question, every parameter (the engine's fixed settings included), the data version and last update, and a URL that reproduces it with every parameter explicit (generated_from). JSON carries the same in parameters, data_version, data_updated and generated_from. The file name says it too (e.g. question_series_kalman_v12.csv). No response contains the time of the request, so the same request on the same data returns the same bytes.",
		},
		"api.repro.csv": {
			"글자 칸이 =, +, -, @로 시작하면 스프레드시트가 수식으로 실행하지 않도록 앞에 '를 붙입니다(숫자 칸은 그대로, 음수도 숫자). 인코딩은 UTF-8(BOM 없음)이므로 엑셀에서는 '데이터 → 텍스트/CSV에서'로 여세요.",
			"Text cells that start with =, +, - or @ get a leading ' so that spreadsheets do not run them as formulas (numbers are untouched; negative numbers stay numbers). Files are UTF-8 without a BOM: in Excel, open them with Data → From Text/CSV.",
		},
		"api.caching": {"캐시", "Caching"},
		"api.caching.text": {
			"모든 응답에는 강한 ETag와 Last-Modified가 붙습니다. If-None-Match나 If-Modified-Since로 다시 물으면 바뀐 게 없을 때 304를 돌려줍니다. gzip으로 받으면 압축본 고유의 ETag가 붙습니다.",
			"Every response carries a strong ETag and Last-Modified; ask again with If-None-Match or If-Modified-Since and you get 304 when nothing changed. A gzipped response has an ETag of its own.",
		},
		"api.errors": {"오류", "Errors"},
		"api.errors.text": {
			"오류는 JSON으로, 상태 코드와 사람이 읽을 수 있는 메시지를 담습니다. 잘못된 매개변수는 400, 없는 질문은 404입니다.",
			"Errors are JSON with a status, a code and a message a person can act on: 400 for a wrong parameter, 404 for an unknown question.",
		},
		"api.cli": {"명령행", "Command line"},
		"api.cli.text": {
			"서버 없이도 같은 파일을 만들 수 있습니다. pollagg series와 polls는 같은 매개변수에 대해 API와 똑같은 바이트를 출력하고, export는 사이트 전체를 정적 파일로 씁니다.",
			"The same files without a server: pollagg series and polls print exactly the bytes the API serves for the same parameters, and export writes the whole site as static files.",
		},
	})
}
