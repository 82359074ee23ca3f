package http_test

// corpus is the shared evaluation corpus (see its truth/README.md).
const corpus = "../../../../shared/corpus"
