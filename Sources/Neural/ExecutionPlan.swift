import CKernels

/// A TFLite graph lowered to steps over one arena: constants decoded to fp32 once (fp16 weights
/// behind DEQUANTIZE included), every shape checked, every activation placed by `MemoryPlan`.
/// Once built, running the steps in order reads and writes only inside the arena, the scratch and
/// the weights, whatever the file said.
struct ExecutionPlan {
    struct Port {
        var name: String
        var shape: [Int]
        var offset: Int
        var count: Int
    }

    var steps: [Step]
    var weights: ContiguousArray<Float>
    /// The s8 weights of `.int8` convolutions (at least 64 bytes, so the pool always has an address).
    var bytes: ContiguousArray<Int8>
    var arenaSize: Int
    var scratchPerWorker: Int
    var inputs: [Port]
    var outputs: [Port]

    /// More than this many elements in one tensor is taken as a corrupted shape.
    static let maximumElements = 1 << 27
    /// An arena larger than this (1 GiB of floats) is taken as a corrupted model too.
    static let maximumArena = 1 << 28

    /// - Parameter precision: `.int8` lowers CONV_2D to the int8 GEMM (the caller has checked the
    ///   CPU runs it and the backend is `.packed`).
    /// - Parameter direct: whether convolutions over few input channels take their own kernels:
    ///   `Convolution`'s `.direct` backend at float32 on `.packed`, patches gathered as bytes at int8
    ///   (else fp32 im2col and the GEMM, as the tests compare).
    init(_ file: TFLiteFile, backend: MatrixBackend, precision: Precision, direct: Bool = true) throws {
        var lowering = try Lowering(file, backend: backend == .packed ? (precision == .int8 ? .int8 : .packed) : .openBLAS,
                                    direct: direct)
        steps = try lowering.buildSteps()
        weights = lowering.pool
        bytes = lowering.bytes
        arenaSize = lowering.memory.size
        scratchPerWorker = steps.map(\.scratchPerWorker).max() ?? 0
        guard scratchPerWorker <= 1 << 24 else {
            throw file.reader.error("a convolution needs \(scratchPerWorker) floats of scratch, more than the \(1 << 24) allowed")
        }
        inputs = file.inputs.map { lowering.port($0) }
        outputs = file.outputs.map { lowering.port($0) }
    }
}

private struct Lowering {
    let file: TFLiteFile
    /// Tensors that DEQUANTIZE turns from fp16 constants into fp32 constants, and their sources.
    var dequantized: [Int: Int] = [:]
    /// Activation tensors (not constants) and their arena offsets.
    var offsets: [Int: Int] = [:]
    var elementCounts: [Int: Int] = [:]
    var memory: MemoryPlan
    var pool = ContiguousArray<Float>()
    var bytes = ContiguousArray<Int8>(repeating: 0, count: 64)
    var pooled: [Int: Int] = [:]
    var zeros: [Int: Int] = [:]
    let backend: Convolution.Backend
    let direct: Bool

    func fail(_ problem: String) -> ModelError { file.reader.error(problem) }

    init(_ file: TFLiteFile, backend: Convolution.Backend, direct: Bool) throws {
        self.file = file
        self.backend = backend
        self.direct = direct
        let tensors = file.tensors
        func isConstant(_ t: Int, _ dequantized: [Int: Int]) -> Bool { file.data(of: t) != nil || dequantized[t] != nil }

        var first: [Int: Int] = [:]
        var last: [Int: Int] = [:]
        var dequantized: [Int: Int] = [:]
        for t in file.inputs {
            guard file.data(of: t) == nil else { throw file.reader.error("graph input tensor \(t) (\(tensors[t].name)) is a constant") }
            first[t] = 0
            last[t] = 0
        }
        var step = 0
        for (i, op) in file.operators.enumerated() {
            let label = "operator \(i) (\(OperatorCode.name(op.code)))"
            if op.code == OperatorCode.dequantize, let source = op.inputs.first, source >= 0, isConstant(source, dequantized) {
                guard op.outputs.count == 1, file.data(of: op.outputs[0]) == nil, first[op.outputs[0]] == nil, dequantized[op.outputs[0]] == nil else {
                    throw file.reader.error("\(label): needs one output that nothing else defines")
                }
                dequantized[op.outputs[0]] = source
                continue
            }
            for t in op.inputs where t >= 0 && !isConstant(t, dequantized) {
                guard first[t] != nil else {
                    throw file.reader.error("\(label) reads tensor \(t) (\(tensors[t].name)) before anything writes it")
                }
                last[t] = step
            }
            guard !op.outputs.isEmpty else { throw file.reader.error("\(label) has no output") }
            for t in op.outputs {
                guard first[t] == nil, !isConstant(t, dequantized) else {
                    throw file.reader.error("\(label) writes tensor \(t) (\(tensors[t].name)), which is already defined")
                }
                first[t] = step
                last[t] = step
            }
            step += 1
        }
        for t in file.outputs {
            guard first[t] != nil else { throw file.reader.error("graph output tensor \(t) (\(tensors[t].name)) is never written") }
            last[t] = step
        }

        var intervals = [MemoryPlan.Interval]()
        let activations = first.keys.sorted()
        var counts: [Int: Int] = [:]
        for t in activations {
            guard tensors[t].type == TFLiteFile.TensorType.float32 else {
                throw file.reader.error("tensor \(t) (\(tensors[t].name)) is an activation of type \(tensors[t].type); only float32 activations are supported")
            }
            guard tensors[t].shape.allSatisfy({ $0 >= 1 }) else {
                throw file.reader.error("tensor \(t) (\(tensors[t].name)) has an empty dimension in shape \(tensors[t].shape)")
            }
            let count = try Self.elementCount(tensors[t].shape, "tensor \(t) (\(tensors[t].name))", file.reader)
            counts[t] = count
            intervals.append(.init(size: count, first: first[t]!, last: last[t]!))
        }
        memory = MemoryPlan(intervals)
        guard memory.size <= ExecutionPlan.maximumArena else {
            throw file.reader.error("activations need \(memory.size) floats, more than the \(ExecutionPlan.maximumArena) allowed")
        }
        for (i, t) in activations.enumerated() { offsets[t] = memory.offsets[i] }
        elementCounts = counts
        self.dequantized = dequantized
    }

    static func elementCount(_ shape: [Int], _ what: String, _ reader: FlatBufferReader) throws -> Int {
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= ExecutionPlan.maximumElements else {
                throw reader.error("\(what): shape \(shape) has more than \(ExecutionPlan.maximumElements) elements")
            }
            count = product
        }
        return count
    }

    func port(_ t: Int) -> ExecutionPlan.Port {
        .init(name: file.tensors[t].name, shape: file.tensors[t].shape, offset: offsets[t] ?? 0, count: elementCounts[t] ?? 0)
    }

    // MARK: tensors

    func activation(_ t: Int, _ label: String) throws -> (offset: Int, shape: [Int]) {
        guard t >= 0, let offset = offsets[t] else { throw fail("\(label): tensor \(t) is not an activation") }
        return (offset, file.tensors[t].shape)
    }

    func activation4D(_ t: Int, _ label: String) throws -> (offset: Int, shape: [Int]) {
        let a = try activation(t, label)
        guard a.shape.count == 4 else { throw fail("\(label): tensor \(t) (\(file.tensors[t].name)) has shape \(a.shape), expected 4 dimensions (NHWC)") }
        return a
    }

    /// A constant's values as fp32: float32 data, or the fp16 data behind a DEQUANTIZE.
    func floats(_ t: Int, _ label: String) throws -> (values: [Float], shape: [Int]) {
        guard t >= 0 else { throw fail("\(label): a required constant is missing") }
        let shape = file.tensors[t].shape
        let source = dequantized[t] ?? t
        let tensor = file.tensors[source]
        guard let data = file.data(of: source) else { throw fail("\(label): tensor \(t) (\(file.tensors[t].name)) must be a constant") }
        let count = try Self.elementCount(tensor.shape, "\(label): tensor \(source) (\(tensor.name))", file.reader)
        guard shape == tensor.shape else { throw fail("\(label): DEQUANTIZE changes shape \(tensor.shape) to \(shape)") }
        let base = data.startIndex
        switch tensor.type {
        case TFLiteFile.TensorType.float32:
            guard data.count == count * 4 else { throw fail("\(label): tensor \(source) (\(tensor.name)) holds \(data.count) bytes, shape \(tensor.shape) needs \(count * 4)") }
            return ((0..<count).map { i in
                let p = base + 4 * i
                return Float(bitPattern: UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24)
            }, shape)
        case TFLiteFile.TensorType.float16:
            guard data.count == count * 2 else { throw fail("\(label): tensor \(source) (\(tensor.name)) holds \(data.count) bytes, shape \(tensor.shape) needs \(count * 2)") }
            return ((0..<count).map { i in floatFromHalf(UInt16(data[base + 2 * i]) | UInt16(data[base + 2 * i + 1]) << 8) }, shape)
        default:
            throw fail("\(label): tensor \(source) (\(tensor.name)) has type \(tensor.type); expected float32 or float16")
        }
    }

    func ints(_ t: Int, _ label: String) throws -> [Int] {
        guard t >= 0, let data = file.data(of: t) else { throw fail("\(label): tensor \(t) must be an int32 constant") }
        let tensor = file.tensors[t]
        guard tensor.type == TFLiteFile.TensorType.int32 else { throw fail("\(label): tensor \(t) (\(tensor.name)) has type \(tensor.type); expected int32") }
        let count = try Self.elementCount(tensor.shape, "\(label): tensor \(t)", file.reader)
        guard data.count == count * 4 else { throw fail("\(label): tensor \(t) (\(tensor.name)) holds \(data.count) bytes, shape \(tensor.shape) needs \(count * 4)") }
        let base = data.startIndex
        return (0..<count).map { i in
            let p = base + 4 * i
            return Int(Int32(bitPattern: UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24))
        }
    }

    /// Offset of a constant in the weight pool; each tensor is copied in once, however many steps use it.
    mutating func pooledFloats(_ t: Int, count: Int, _ label: String) throws -> Int {
        if let offset = pooled[t] { return offset }
        let (values, _) = try floats(t, label)
        guard values.count == count else { throw fail("\(label): constant tensor \(t) has \(values.count) values, expected \(count)") }
        let offset = append(values)
        pooled[t] = offset
        return offset
    }

    mutating func bias(_ inputs: [Int], count: Int, _ label: String) throws -> Int {
        if inputs.count > 2, inputs[2] >= 0 { return try pooledFloats(inputs[2], count: count, "\(label) bias") }
        if let offset = zeros[count] { return offset }
        let offset = append([Float](repeating: 0, count: count))
        zeros[count] = offset
        return offset
    }

    /// A convolution's filter and bias in the layout its backend reads, and that backend: few input
    /// channels run `.direct` instead of `.packed`; `.int8` falls back to `.packed` for a depth the
    /// int8 GEMM cannot sum exactly.
    mutating func convolutionWeights(_ inputs: [Int], n: Int, k: Int, inChannels: Int, backend: Convolution.Backend,
                                     _ label: String) throws -> (Int, Int, Convolution.Backend) {
        switch backend {
        case .openBLAS:
            return (try pooledFloats(inputs[1], count: n * k, "\(label) filter"), try bias(inputs, count: n, label), .openBLAS)
        case .packed, .int8, .direct:
            let filter = try floats(inputs[1], "\(label) filter").values
            guard filter.count == n * k else { throw fail("\(label): filter has \(filter.count) values, expected \(n * k)") }
            var biasValues = [Float](repeating: 0, count: n)
            if inputs.count > 2, inputs[2] >= 0 {
                biasValues = try floats(inputs[2], "\(label) bias").values
                guard biasValues.count == n else { throw fail("\(label): bias has \(biasValues.count) values, expected \(n)") }
            }
            if direct && backend == .packed && inChannels <= Convolution.mostDirectInChannels {
                return (append(Convolution.packDirect(filter, n: n, k: k)), append(Convolution.padDirectBias(biasValues, n: n)), .direct)
            }
            if backend == .int8 && handmesh_s8_depth(k) <= QuantizedWeights.maximumDepth {
                let quantized = QuantizedWeights(filter, n: n, k: k)
                let offset = bytes.count
                bytes.append(contentsOf: quantized.packed)
                // 64 bytes past the end, so whole-vector loads never leave the pool.
                bytes.append(contentsOf: repeatElement(0, count: 64))
                return (offset, append(quantized.scale + quantized.sum + PackedGEMM.padBias(biasValues, n: n)), .int8)
            }
            return (append(PackedGEMM.pack(filter, n: n, k: k)), append(PackedGEMM.padBias(biasValues, n: n)), .packed)
        }
    }

    mutating func append(_ values: [Float]) -> Int {
        // Pad so every constant starts 64-byte aligned and SIMD loads past a short vector stay inside.
        let offset = pool.count
        pool.append(contentsOf: values)
        pool.append(contentsOf: repeatElement(0, count: 16 + (16 - pool.count % 16) % 16))
        return offset
    }

    func clamp(_ code: UInt8, _ label: String) throws -> Clamp {
        guard let clamp = Clamp(fused: Int8(bitPattern: code)) else { throw fail("\(label): fused activation \(code) is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)") }
        return clamp
    }

    /// Output size and leading pad of one spatial dimension; SAME puts an odd leftover pad at the end
    /// (TensorFlow's rule: pad_total = max((out − 1)·stride + kernel − in, 0), pad_before = pad_total / 2).
    func window(input: Int, kernel: Int, stride: Int, padding: UInt8, _ label: String) throws -> (size: Int, before: Int) {
        guard stride >= 1, kernel >= 1 else { throw fail("\(label): stride \(stride) and kernel \(kernel) must be at least 1") }
        switch padding {
        case 0:
            let size = (input + stride - 1) / stride
            let total = max((size - 1) * stride + kernel - input, 0)
            return (size, total / 2)
        case 1:
            guard input >= kernel else { throw fail("\(label): VALID window \(kernel) is larger than the input \(input)") }
            return ((input - kernel) / stride + 1, 0)
        default:
            throw fail("\(label): padding \(padding) is neither SAME nor VALID")
        }
    }

    func expectShape(_ t: Int, _ shape: [Int], _ label: String) throws {
        guard file.tensors[t].shape == shape else {
            throw fail("\(label): output tensor \(t) (\(file.tensors[t].name)) has shape \(file.tensors[t].shape), expected \(shape)")
        }
    }

    func arity(_ op: TFLiteFile.Operator, inputs: ClosedRange<Int>, _ label: String) throws {
        guard inputs.contains(op.inputs.count), op.outputs.count == 1 else {
            throw fail("\(label): has \(op.inputs.count) inputs and \(op.outputs.count) outputs; expected \(inputs) inputs and 1 output")
        }
        for i in 0..<inputs.lowerBound where op.inputs[i] < 0 {
            throw fail("\(label): required input \(i) is missing")
        }
    }

    // MARK: steps

    mutating func buildSteps() throws -> [Step] {
        var steps = [Step]()
        for (i, op) in file.operators.enumerated() {
            let label = "operator \(i) (\(OperatorCode.name(op.code)))"
            if op.code == OperatorCode.dequantize, dequantized[op.outputs.first ?? -1] != nil { continue }
            steps.append(try step(op, label))
        }
        return steps
    }

    mutating func step(_ op: TFLiteFile.Operator, _ label: String) throws -> Step {
        let options = op.options
        switch op.code {
        case OperatorCode.conv2D:
            try arity(op, inputs: 2...3, label)
            let x = try activation4D(op.inputs[0], label)
            let filter = file.tensors[op.inputs[1]].shape
            guard filter.count == 4, filter[3] == x.shape[3] else { throw fail("\(label): filter shape \(filter) does not match input \(x.shape)") }
            // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4/5 dilation w/h.
            let padding = try options?.u8(0, default: 0) ?? 0
            let strideW = Int(try options?.i32(1, default: 0) ?? 0), strideH = Int(try options?.i32(2, default: 0) ?? 0)
            guard try options?.i32(4, default: 1) ?? 1 == 1, try options?.i32(5, default: 1) ?? 1 == 1 else { throw fail("\(label): dilation is not supported") }
            let rows = try window(input: x.shape[1], kernel: filter[1], stride: strideH, padding: padding, label)
            let cols = try window(input: x.shape[2], kernel: filter[2], stride: strideW, padding: padding, label)
            let outShape = [x.shape[0], rows.size, cols.size, filter[0]]
            try expectShape(op.outputs[0], outShape, label)
            let (weightsAt, biasAt, used) = try convolutionWeights(op.inputs, n: filter[0], k: filter[1] * filter[2] * filter[3],
                                                                   inChannels: filter[3], backend: backend, label)
            var conv = Convolution(
                input: x.offset, output: offsets[op.outputs[0]]!, weights: weightsAt, bias: biasAt, backend: used,
                batch: x.shape[0], height: x.shape[1], width: x.shape[2], inChannels: x.shape[3],
                outHeight: rows.size, outWidth: cols.size, outChannels: filter[0],
                kernelHeight: filter[1], kernelWidth: filter[2], strideHeight: strideH, strideWidth: strideW,
                padTop: rows.before, padLeft: cols.before, clamp: try clamp(try options?.u8(3, default: 0) ?? 0, label))
            conv.gathersQuantized = direct && used == .int8 && !conv.isPointwise && filter[3] <= Convolution.mostDirectInChannels
            return .convolution(conv)

        case OperatorCode.depthwiseConv2D:
            try arity(op, inputs: 2...3, label)
            let x = try activation4D(op.inputs[0], label)
            let filter = file.tensors[op.inputs[1]].shape
            guard filter.count == 4, filter[0] == 1, filter[3] == x.shape[3] else {
                throw fail("\(label): filter shape \(filter) does not match input \(x.shape) with depth multiplier 1")
            }
            // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 activation, 5/6 dilation.
            let padding = try options?.u8(0, default: 0) ?? 0
            let strideW = Int(try options?.i32(1, default: 0) ?? 0), strideH = Int(try options?.i32(2, default: 0) ?? 0)
            guard try options?.i32(5, default: 1) ?? 1 == 1, try options?.i32(6, default: 1) ?? 1 == 1 else { throw fail("\(label): dilation is not supported") }
            let rows = try window(input: x.shape[1], kernel: filter[1], stride: strideH, padding: padding, label)
            let cols = try window(input: x.shape[2], kernel: filter[2], stride: strideW, padding: padding, label)
            try expectShape(op.outputs[0], [x.shape[0], rows.size, cols.size, x.shape[3]], label)
            return .depthwise(DepthwiseConvolution(
                input: x.offset, output: offsets[op.outputs[0]]!,
                weights: try pooledFloats(op.inputs[1], count: filter.reduce(1, *), "\(label) filter"),
                bias: try bias(op.inputs, count: x.shape[3], label),
                batch: x.shape[0], height: x.shape[1], width: x.shape[2], channels: x.shape[3],
                outHeight: rows.size, outWidth: cols.size, kernelHeight: filter[1], kernelWidth: filter[2],
                strideHeight: strideH, strideWidth: strideW, padTop: rows.before, padLeft: cols.before,
                clamp: try clamp(try options?.u8(4, default: 0) ?? 0, label)))

        case OperatorCode.maxPool2D:
            try arity(op, inputs: 1...1, label)
            let x = try activation4D(op.inputs[0], label)
            // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation.
            let padding = try options?.u8(0, default: 0) ?? 0
            let strideW = Int(try options?.i32(1, default: 0) ?? 0), strideH = Int(try options?.i32(2, default: 0) ?? 0)
            let fw = Int(try options?.i32(3, default: 0) ?? 0), fh = Int(try options?.i32(4, default: 0) ?? 0)
            let rows = try window(input: x.shape[1], kernel: fh, stride: strideH, padding: padding, label)
            let cols = try window(input: x.shape[2], kernel: fw, stride: strideW, padding: padding, label)
            try expectShape(op.outputs[0], [x.shape[0], rows.size, cols.size, x.shape[3]], label)
            return .maxPool(MaxPool(
                input: x.offset, output: offsets[op.outputs[0]]!, batch: x.shape[0], height: x.shape[1], width: x.shape[2],
                channels: x.shape[3], outHeight: rows.size, outWidth: cols.size, filterHeight: fh, filterWidth: fw,
                strideHeight: strideH, strideWidth: strideW, padTop: rows.before, padLeft: cols.before,
                clamp: try clamp(try options?.u8(5, default: 0) ?? 0, label)))

        case OperatorCode.add:
            try arity(op, inputs: 2...2, label)
            let a = try activation(op.inputs[0], label), b = try activation(op.inputs[1], label)
            guard a.shape == b.shape else { throw fail("\(label): shapes \(a.shape) and \(b.shape) differ; broadcasting is not supported") }
            try expectShape(op.outputs[0], a.shape, label)
            return .add(Add(first: a.offset, second: b.offset, output: offsets[op.outputs[0]]!,
                            count: elementCounts[op.inputs[0]]!, clamp: try clamp(try options?.u8(0, default: 0) ?? 0, label)))

        case OperatorCode.prelu:
            try arity(op, inputs: 2...2, label)
            let x = try activation(op.inputs[0], label)
            let channels = x.shape.last ?? 1
            let alphaCount = try floats(op.inputs[1], label).values.count
            guard alphaCount == channels, channels > 0 else {
                throw fail("\(label): alpha has \(alphaCount) values; only one per channel (\(channels)) is supported")
            }
            try expectShape(op.outputs[0], x.shape, label)
            return .prelu(PReLU(input: x.offset, output: offsets[op.outputs[0]]!,
                                alpha: try pooledFloats(op.inputs[1], count: channels, "\(label) alpha"),
                                count: elementCounts[op.inputs[0]]!, channels: channels))

        case OperatorCode.logistic:
            try arity(op, inputs: 1...1, label)
            let x = try activation(op.inputs[0], label)
            try expectShape(op.outputs[0], x.shape, label)
            return .logistic(Logistic(input: x.offset, output: offsets[op.outputs[0]]!, count: elementCounts[op.inputs[0]]!))

        case OperatorCode.reshape:
            guard (1...2).contains(op.inputs.count), op.outputs.count == 1 else { throw fail("\(label): expected 1 or 2 inputs and 1 output") }
            let x = try activation(op.inputs[0], label)
            let count = elementCounts[op.inputs[0]]!
            guard elementCounts[op.outputs[0]] == count else {
                throw fail("\(label): cannot reshape \(x.shape) to \(file.tensors[op.outputs[0]].shape)")
            }
            return .copy(Copy(input: x.offset, output: offsets[op.outputs[0]]!, count: count))

        case OperatorCode.pad:
            try arity(op, inputs: 2...2, label)
            let x = try activation(op.inputs[0], label)
            let paddings = try ints(op.inputs[1], label)
            let rank = x.shape.count
            guard rank >= 1, rank <= 4, paddings.count == 2 * rank, paddings.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
                throw fail("\(label): paddings \(paddings) do not fit input shape \(x.shape) (rank ≤ 4, non-negative)")
            }
            let shape = [Int](repeating: 1, count: 4 - rank) + x.shape
            let before = [Int](repeating: 0, count: 4 - rank) + (0..<rank).map { paddings[2 * $0] }
            let after = [Int](repeating: 0, count: 4 - rank) + (0..<rank).map { paddings[2 * $0 + 1] }
            let outShape = (0..<4).map { shape[$0] + before[$0] + after[$0] }
            try expectShape(op.outputs[0], Array(outShape.suffix(rank)), label)
            return .pad(Pad(input: x.offset, output: offsets[op.outputs[0]]!, shape: shape, before: before, outShape: outShape))

        case OperatorCode.resizeBilinear:
            try arity(op, inputs: 2...2, label)
            let x = try activation4D(op.inputs[0], label)
            let size = try ints(op.inputs[1], label)
            guard size.count == 2, size[0] >= 1, size[1] >= 1, x.shape[1] >= 1, x.shape[2] >= 1 else { throw fail("\(label): size \(size) must be two positive numbers") }
            try expectShape(op.outputs[0], [x.shape[0], size[0], size[1], x.shape[3]], label)
            // ResizeBilinearOptions: 2 align_corners, 3 half_pixel_centers.
            return .resize(ResizeBilinear(
                input: x.offset, output: offsets[op.outputs[0]]!, batch: x.shape[0], height: x.shape[1], width: x.shape[2],
                channels: x.shape[3], outHeight: size[0], outWidth: size[1],
                alignCorners: try options?.bool(2, default: false) ?? false,
                halfPixelCenters: try options?.bool(3, default: false) ?? false))

        case OperatorCode.concatenation:
            guard !op.inputs.isEmpty, op.outputs.count == 1 else { throw fail("\(label): expected inputs and 1 output") }
            let parts = try op.inputs.map { try activation($0, label) }
            let outShape = file.tensors[op.outputs[0]].shape
            let rank = outShape.count
            // ConcatenationOptions: 0 axis, 1 activation.
            var axis = Int(try options?.i32(0, default: 0) ?? 0)
            if axis < 0 { axis += rank }
            guard axis >= 0, axis < rank else { throw fail("\(label): axis \(axis) is outside rank \(rank)") }
            var total = 0
            for part in parts {
                guard part.shape.count == rank, (0..<rank).allSatisfy({ $0 == axis || part.shape[$0] == outShape[$0] }) else {
                    throw fail("\(label): input shape \(part.shape) does not fit output \(outShape) on axis \(axis)")
                }
                total += part.shape[axis]
            }
            guard total == outShape[axis] else { throw fail("\(label): inputs add up to \(total) along axis \(axis), output has \(outShape[axis])") }
            let outer = outShape[..<axis].reduce(1, *), inner = outShape[(axis + 1)...].reduce(1, *)
            return .concatenation(Concatenation(
                inputs: parts.map(\.offset), blocks: parts.map { $0.shape[axis] * inner }, output: offsets[op.outputs[0]]!,
                outer: outer, clamp: try clamp(try options?.u8(1, default: 0) ?? 0, label)))

        case OperatorCode.fullyConnected:
            try arity(op, inputs: 2...3, label)
            let x = try activation(op.inputs[0], label)
            let w = file.tensors[op.inputs[1]].shape
            guard w.count == 2, w[0] >= 1, w[1] >= 1, elementCounts[op.inputs[0]]! % w[1] == 0 else {
                throw fail("\(label): weights shape \(w) does not fit input \(x.shape)")
            }
            // FullyConnectedOptions: 0 activation, 1 weights_format (0 = DEFAULT).
            guard try options?.u8(1, default: 0) ?? 0 == 0 else { throw fail("\(label): only the DEFAULT weights format is supported") }
            let rows = elementCounts[op.inputs[0]]! / w[1]
            guard elementCounts[op.outputs[0]] == rows * w[0] else {
                throw fail("\(label): output tensor shape \(file.tensors[op.outputs[0]].shape) does not hold \(rows)x\(w[0])")
            }
            return .fullyConnected(FullyConnected(
                input: x.offset, output: offsets[op.outputs[0]]!,
                weights: try pooledFloats(op.inputs[1], count: w[0] * w[1], "\(label) weights"),
                bias: try bias(op.inputs, count: w[0], label), rows: rows, depth: w[1], units: w[0],
                clamp: try clamp(try options?.u8(0, default: 0) ?? 0, label)))

        case OperatorCode.mean:
            try arity(op, inputs: 2...2, label)
            let x = try activation(op.inputs[0], label)
            let rank = x.shape.count
            let axes = Set(try ints(op.inputs[1], label).map { $0 < 0 ? $0 + rank : $0 }).sorted()
            guard let low = axes.first, let high = axes.last, low >= 0, high < rank, axes.count == high - low + 1 else {
                throw fail("\(label): axes \(axes) must be a contiguous run of dimensions of \(x.shape)")
            }
            let outer = x.shape[..<low].reduce(1, *), reduced = x.shape[low...high].reduce(1, *)
            let inner = x.shape[(high + 1)...].reduce(1, *)
            guard reduced > 0, elementCounts[op.outputs[0]] == outer * inner else {
                throw fail("\(label): output shape \(file.tensors[op.outputs[0]].shape) does not match reducing \(x.shape) over \(axes)")
            }
            return .mean(Mean(input: x.offset, output: offsets[op.outputs[0]]!, outer: outer, reduced: reduced, inner: inner))

        default:
            throw fail("\(label) is not supported by this engine")
        }
    }
}
