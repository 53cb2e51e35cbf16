# gen.R makes the loess cross-check fixture and its golden values with R's
# own loess (Debian package r-base-core). Run once from this directory:
#
#   Rscript gen.R
#
# It writes fixture.csv (poll midpoints x in days, shares y, prior weights w)
# and golden.csv (R's fit at every whole day for three spans). CI does not
# need R: poll/loess_test.go compares pollagg's loess with golden.csv.
# The committed golden.csv was made with R 4.2.2 (Debian 12).
set.seed(20230306)
n <- 40
x <- sort(c(round(runif(n - 6, 0, 60) * 2) / 2, c(10, 10, 10, 31.5, 31.5, 45)))
y <- round(40 + 3 * sin(x / 9) + rnorm(n, 0, 2.5), 1)
w <- round(sqrt(sample(c(500, 800, 1000, 1000, 1500, 3000), n, replace = TRUE) / 1.8), 4)
write.csv(data.frame(x = x, y = y, w = w), "fixture.csv", row.names = FALSE)

at <- data.frame(x = 0:60)
out <- NULL
for (span in c(0.25, 0.5, 0.9)) {
  fit <- loess(y ~ x, weights = w, span = span, degree = 1, family = "gaussian",
               surface = "direct")
  out <- rbind(out, data.frame(span = span, x = at$x,
                               fit = sprintf("%.12f", predict(fit, newdata = at))))
}
write.csv(out, "golden.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
