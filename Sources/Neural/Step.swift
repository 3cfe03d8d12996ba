/// One operator of the plan, with every offset and size resolved at load.
enum Step {
    case convolution(Convolution)
    case depthwise(DepthwiseConvolution)
    case add(Add)
    case prelu(PReLU)
    case maxPool(MaxPool)
    case pad(Pad)
    case resize(ResizeBilinear)
    case concatenation(Concatenation)
    case copy(Copy)
    case fullyConnected(FullyConnected)
    case logistic(Logistic)
    case mean(Mean)

    @inline(__always)
    func run(_ context: ExecutionContext) {
        switch self {
        case .convolution(let s): s.run(context)
        case .depthwise(let s): s.run(context)
        case .add(let s): s.run(context)
        case .prelu(let s): s.run(context)
        case .maxPool(let s): s.run(context)
        case .pad(let s): s.run(context)
        case .resize(let s): s.run(context)
        case .concatenation(let s): s.run(context)
        case .copy(let s): s.run(context)
        case .fullyConnected(let s): s.run(context)
        case .logistic(let s): s.run(context)
        case .mean(let s): s.run(context)
        }
    }

    /// A short label for per-operator timing: the TFLite operator and the variant of the kernel.
    var label: String {
        switch self {
        case .convolution(let s):
            let kind = s.backend == .direct ? "\(s.kernelHeight)x\(s.kernelWidth)/\(s.strideHeight) direct"
                : s.isPointwise ? "1x1"
                : "\(s.kernelHeight)x\(s.kernelWidth)/\(s.strideHeight) im2col" + (s.gathersQuantized ? " u8" : "")
            return "CONV_2D \(kind)" + (s.backend == .int8 ? " int8" : "")
        case .depthwise(let s): return "DEPTHWISE_CONV_2D \(s.kernelHeight)x\(s.kernelWidth)/\(s.strideHeight)"
        case .add: return "ADD"
        case .prelu: return "PRELU"
        case .maxPool: return "MAX_POOL_2D"
        case .pad: return "PAD"
        case .resize: return "RESIZE_BILINEAR"
        case .concatenation: return "CONCATENATION"
        case .copy: return "RESHAPE"
        case .fullyConnected: return "FULLY_CONNECTED"
        case .logistic: return "LOGISTIC"
        case .mean: return "MEAN"
        }
    }

    /// Floats of scratch one worker needs for this step.
    var scratchPerWorker: Int {
        if case .convolution(let s) = self { return s.scratchPerWorker }
        return 0
    }
}
