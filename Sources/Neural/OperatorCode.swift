/// The BuiltinOperator codes (schema.fbs) this engine implements, and names for error messages.
enum OperatorCode {
    static let add = 0
    static let concatenation = 2
    static let conv2D = 3
    static let depthwiseConv2D = 4
    static let dequantize = 6
    static let fullyConnected = 9
    static let logistic = 14
    static let maxPool2D = 17
    static let reshape = 22
    static let resizeBilinear = 23
    static let pad = 34
    static let mean = 40
    static let prelu = 54

    static func name(_ code: Int) -> String {
        switch code {
        case add: return "ADD"
        case concatenation: return "CONCATENATION"
        case conv2D: return "CONV_2D"
        case depthwiseConv2D: return "DEPTHWISE_CONV_2D"
        case dequantize: return "DEQUANTIZE"
        case fullyConnected: return "FULLY_CONNECTED"
        case logistic: return "LOGISTIC"
        case maxPool2D: return "MAX_POOL_2D"
        case reshape: return "RESHAPE"
        case resizeBilinear: return "RESIZE_BILINEAR"
        case pad: return "PAD"
        case mean: return "MEAN"
        case prelu: return "PRELU"
        default: return "builtin operator \(code)"
        }
    }
}
