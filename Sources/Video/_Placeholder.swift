// Placeholder so the target builds before its first real file lands; delete it then.
import CFFmpeg
enum _VideoPlaceholder { static func version() -> UInt32 { avformat_version() } }
