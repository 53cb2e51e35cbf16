package upload

import "github.com/pollagg/pollagg/web/site"

// Messages of the upload page: key → [Korean, English].
func init() {
	site.AddMessages(map[string][2]string{
		"upload.title":   {"조사기관 업로드", "Upload polls"},
		"upload.intro":   {"조사기관은 발표한 여론조사 결과를 직접 올립니다. 각 계정은 자기 조사기관 이름으로만 올릴 수 있고, 파일은 전부 저장되거나 전혀 저장되지 않습니다.", "Pollsters publish their own numbers here. An account may publish only under its own pollster names, and a file is stored whole or not at all."},
		"upload.formats": {"받는 형식: pollagg 양식(영문 또는 한글 머리글)과 FiveThirtyEight식 긴 형식의 CSV(UTF-8, CP949/EUC-KR, UTF-16) 또는 Excel 통합 문서(.xlsx). 형식은 머리글로 알아봅니다.", "Accepted: CSV (UTF-8, CP949/EUC-KR or UTF-16) or an Excel workbook (.xlsx) in pollagg's template (English or Korean headers) or the FiveThirtyEight-style long format. The format is detected from the header."},

		"upload.signin.heading": {"토큰으로 로그인", "Sign in with your token"},
		"upload.signin.label":   {"API 토큰", "API token"},
		"upload.signin.help":    {"운영자가 `pollagg pollster add`로 만들어 전달한 토큰입니다. 로그인은 이 브라우저 세션 동안만 유지됩니다.", "The token an operator created for you with `pollagg pollster add`. You stay signed in for this browser session only."},
		"upload.signin.button":  {"로그인", "Sign in"},
		"upload.signin.bad":     {"토큰이 맞지 않거나 폐기되었습니다.", "That token is wrong or has been revoked."},
		"upload.signin.needed":  {"먼저 토큰으로 로그인해 주세요. (세션이 끝났거나 토큰이 바뀌었을 수 있습니다.)", "Please sign in with your token first. (Your session may have ended, or the token was replaced.)"},
		"upload.signedin":       {"%s 계정으로 로그인했습니다.", "Signed in as %s."},
		"upload.operator":       {"운영자 계정: 모든 조사기관의 조사를 올리고 철회할 수 있습니다.", "Operator account: may upload and retract polls of every pollster."},
		"upload.publishes":      {"이 계정이 올릴 수 있는 조사기관 이름:", "This account may publish polls of:"},
		"upload.signout":        {"로그아웃", "Sign out"},

		"upload.form.heading":      {"파일 올리기", "Upload a file"},
		"upload.form.file":         {"CSV 파일", "CSV file"},
		"upload.form.limit":        {"최대 %s", "at most %s"},
		"upload.form.question":     {"질문 ID (선택)", "Question ID (optional)"},
		"upload.form.questionhelp": {"파일에 question_id 열이 없을 때만 적습니다.", "Only for a file without a question_id column."},
		"upload.form.submit":       {"검사하고 미리 보기", "Check and preview"},
		"upload.preview.full":      {"지금 서버에 확인을 기다리는 미리 보기 파일이 너무 많습니다(모든 사용자 합계 최대 %s). 몇 분 뒤 다시 시도해 주세요.", "The server is holding too many previewed files waiting for confirmation right now (at most %s across all pollsters). Please try again in a few minutes."},
		"upload.preview.encoding":  {"이 파일은 %s 인코딩으로 읽었습니다.", "This file was read as %s."},
		"upload.preview.sheet":     {"읽은 시트", "Sheet read"},
		"upload.form.sheet":        {"시트 이름 (선택, .xlsx)", "Sheet name (optional, .xlsx)"},
		"upload.form.sheethelp":    {"비워 두면 첫 시트를 읽습니다.", "Leave empty to read the first sheet."},
		"upload.form.nofile":       {"올릴 파일을 골라 주세요.", "Please choose a file to upload."},
		"upload.form.badquestion":  {"질문 ID %q는 쓸 수 없습니다: 영문 소문자, 숫자, '-'만 씁니다.", "Question ID %q cannot be used: lower-case letters, digits and '-' only."},

		"upload.stored.heading": {"업로드 %s를 저장했습니다.", "Stored upload %s."},
		"upload.stored.chart":   {"차트에서 보기:", "See it on the chart:"},
		"upload.counts":         {"추가 %d · 변경 %d · 변경 없음 %d", "%d added · %d changed · %d unchanged"},

		"upload.recent.heading":   {"최근 업로드", "Recent uploads"},
		"upload.recent.none":      {"아직 업로드가 없습니다.", "No uploads yet."},
		"upload.col.id":           {"업로드", "Upload"},
		"upload.col.time":         {"시각", "Time"},
		"upload.col.account":      {"계정", "Account"},
		"upload.col.file":         {"파일", "File"},
		"upload.col.questions":    {"질문", "Questions"},
		"upload.col.counts":       {"결과", "Result"},
		"upload.col.line":         {"행", "Line"},
		"upload.preview.title":    {"업로드 미리 보기", "Upload preview"},
		"upload.preview.file":     {"파일", "File"},
		"upload.preview.size":     {"%s바이트", "%s bytes"},
		"upload.preview.ok":       {"문제가 없습니다. 저장하면 다음과 같이 반영됩니다:", "No problems found. Storing it will do this:"},
		"upload.preview.problems": {"문제 %d건이 있어 아무것도 저장하지 않았습니다. 표시된 칸을 고쳐 다시 올려 주세요.", "%d problem(s) found, so nothing was stored. Fix the marked cells and upload the file again."},
		"upload.preview.refused":  {"이 파일은 저장할 수 없습니다:", "This file cannot be stored:"},
		"upload.preview.confirm":  {"저장", "Store it"},
		"upload.preview.cancel":   {"취소", "Cancel"},
		"upload.preview.another":  {"다른 파일 올리기", "Upload another file"},
		"upload.preview.table":    {"파일 내용 (문제가 있는 칸은 표시됨)", "The file (cells with problems are marked)"},
		"upload.preview.hidden":   {"…그리고 %d행 더", "…and %d more rows"},
		"upload.preview.list":     {"모든 문제", "Every problem"},
		"upload.preview.line":     {"%d행", "line %d"},
		"upload.confirm.none":     {"저장할 파일이 없습니다: 이미 저장했거나 취소했거나 세션이 바뀌었습니다. 파일을 다시 올려 주세요.", "There is no file to store: it was already stored or cancelled, or the session changed. Please upload the file again."},
		"upload.confirm.failed":   {"저장하지 못했습니다 (미리 보기 뒤 데이터가 바뀌었습니다): %s", "Could not store the file (the data changed since the preview): %s"},
	})
}
