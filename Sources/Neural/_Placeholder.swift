// Placeholder so the target builds before its first real file lands; delete it then.
import COpenBLAS
enum _NeuralPlaceholder { static func blasThreads() -> Int32 { openblas_get_num_threads() } }
