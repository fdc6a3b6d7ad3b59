# Peer: R's ranger 0.14 (Debian's r-cran-ranger), the fastest forest users
# know, on the synth-rf-random workload: the 10 configurations scikit-learn's
# RandomizedSearchCV(random_state=0) draws (peer_ranger.py passes them), 100
# probability trees each, on the 3 folds of the data's `fold` column, ROC AUC
# of the positive class. Parameter mapping: max_depth -> max.depth,
# max_features (sqrt / fraction of 40) -> mtry (6 / int(f x 40)),
# min_samples_leaf -> min.node.size (ranger 0.14 has no minimum leaf size:
# min.node.size stops splitting nodes smaller than it, so its trees are
# somewhat deeper than scikit-learn's for the same value). 2 threads.
# Usage: Rscript peer_ranger.R DATA.csv PARAMS.csv   prints one JSON line
suppressMessages(library(ranger))
a <- commandArgs(TRUE)
d <- read.csv(a[1]); p <- read.csv(a[2])
X <- d[, grepl("^x", names(d))]; y <- factor(d$y); fold <- d$fold
auc <- function(s, pos) {  # Mann-Whitney, ties counted half (as roc_auc_score)
    r <- rank(s); n1 <- sum(pos); n0 <- length(pos) - n1
    (sum(r[pos]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}
best <- -Inf
t <- system.time(for (i in seq_len(nrow(p))) {
    sc <- sapply(sort(unique(fold)), function(k) {
        tr <- fold != k
        m <- ranger(x = X[tr, ], y = y[tr], num.trees = 100, mtry = p$mtry[i], max.depth = p$max_depth[i],
                    min.node.size = p$min_samples_leaf[i], probability = TRUE, num.threads = 2, seed = 0,
                    verbose = FALSE)
        auc(predict(m, X[!tr, ], num.threads = 2)$predictions[, "1"], y[!tr] == "1")
    })
    best <- max(best, mean(sc))
})[["elapsed"]]
cat(sprintf('{"workload": "synth-rf-random", "peer": "ranger", "seconds": %.3f, "best_score": %.6f}\n', t, best))
