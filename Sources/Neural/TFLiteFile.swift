/// The parts of a TFLite file (schema `tensorflow/lite/schema/schema.fbs`) this engine reads,
/// decoded with `FlatBufferReader`. Field ids below are the schema's vtable slots.
struct TFLiteFile {
    struct Tensor {
        var shape: [Int]
        var type: UInt8
        var buffer: Int
        var name: String
    }

    struct Operator {
        var code: Int
        var inputs: [Int]
        var outputs: [Int]
        var options: FlatBufferTable?
    }

    /// TensorType values from the schema.
    enum TensorType {
        static let float32: UInt8 = 0
        static let float16: UInt8 = 1
        static let int32: UInt8 = 2
    }

    var tensors: [Tensor]
    var operators: [Operator]
    var inputs: [Int]
    var outputs: [Int]
    /// Byte range of each buffer's data in the file (empty for buffers without data).
    var buffers: [Range<Int>]
    let reader: FlatBufferReader

    init(bytes: [UInt8], name: String) throws {
        let reader = FlatBufferReader(bytes: bytes, name: name)
        self.reader = reader
        guard bytes.count >= 8 else { throw reader.error("file is \(bytes.count) bytes, too short for a TFLite model") }
        // The file identifier "TFL3" sits after the root offset.
        guard bytes[4] == 0x54, bytes[5] == 0x46, bytes[6] == 0x4C, bytes[7] == 0x33 else {
            throw reader.error("missing the TFLite file identifier \"TFL3\" at offset 4")
        }
        let model = try reader.root()

        // Model: 1 operator_codes, 2 subgraphs, 4 buffers.
        var codes = [Int]()
        for (i, code) in (try model.tableVector(1, "operator_codes") ?? []).enumerated() {
            // OperatorCode: 0 deprecated_builtin_code (byte), 3 builtin_code (int); the larger one counts.
            let deprecated = Int(Int8(bitPattern: try code.u8(0, default: 0)))
            let builtin = Int(try code.i32(3, default: 0))
            let value = max(deprecated, builtin)
            guard value >= 0 else { throw reader.error("operator code \(i) is negative (\(value))") }
            codes.append(value)
        }

        var buffers = [Range<Int>]()
        for (i, buffer) in (try model.tableVector(4, "buffers") ?? []).enumerated() {
            // Buffer: 0 data [ubyte]; 1 offset and 2 size (u64) for data placed after the flatbuffer.
            if let (start, count) = try buffer.vector(0, elementSize: 1, "buffer \(i) data") {
                buffers.append(start..<start + count)
                continue
            }
            let offset = try buffer.u64(1, default: 0)
            let size = try buffer.u64(2, default: 0)
            guard offset > 1 || size == 0 else {
                throw reader.error("buffer \(i): size \(size) with no data offset")
            }
            if size > 0 {
                guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
                    throw reader.error("buffer \(i): \(size) bytes at offset \(offset) run past the end of the file (\(bytes.count) bytes)")
                }
                buffers.append(Int(offset)..<Int(offset + size))
            } else {
                buffers.append(0..<0)
            }
        }
        self.buffers = buffers

        guard let subgraphs = try model.tableVector(2, "subgraphs"), let graph = subgraphs.first else {
            throw reader.error("the model has no subgraph")
        }
        // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators.
        var tensors = [Tensor]()
        for (i, tensor) in (try graph.tableVector(0, "tensors") ?? []).enumerated() {
            // Tensor: 0 shape, 1 type, 2 buffer, 3 name.
            let shape = try tensor.i32Vector(0, "tensor \(i) shape") ?? []
            let name = try tensor.string(3, "tensor \(i) name") ?? "tensor \(i)"
            guard shape.count <= 8 else { throw reader.error("tensor \(i) (\(name)) has rank \(shape.count); at most 8 is supported") }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw reader.error("tensor \(i) (\(name)) has a negative dimension in shape \(shape)")
            }
            let buffer = Int(try tensor.u32(2, default: 0))
            guard buffer < buffers.count || buffer == 0 else {
                throw reader.error("tensor \(i) (\(name)) refers to buffer \(buffer) of \(buffers.count)")
            }
            tensors.append(Tensor(shape: shape.map(Int.init), type: try tensor.u8(1, default: 0), buffer: buffer, name: name))
        }
        self.tensors = tensors

        func indices(_ values: [Int32]?, _ what: String, optional: Bool) throws -> [Int] {
            try (values ?? []).map { value in
                if optional && value == -1 { return -1 }
                guard value >= 0, Int(value) < tensors.count else {
                    throw reader.error("\(what) refers to tensor \(value) of \(tensors.count)")
                }
                return Int(value)
            }
        }
        inputs = try indices(try graph.i32Vector(1, "inputs"), "subgraph 0 inputs", optional: false)
        outputs = try indices(try graph.i32Vector(2, "outputs"), "subgraph 0 outputs", optional: false)

        var operators = [Operator]()
        for (i, op) in (try graph.tableVector(3, "operators") ?? []).enumerated() {
            // Operator: 0 opcode_index, 1 inputs, 2 outputs, 4 builtin_options.
            let index = Int(try op.u32(0, default: 0))
            guard index < codes.count else { throw reader.error("operator \(i) uses opcode \(index) of \(codes.count)") }
            operators.append(Operator(
                code: codes[index],
                inputs: try indices(try op.i32Vector(1, "operator \(i) inputs"), "operator \(i) inputs", optional: true),
                outputs: try indices(try op.i32Vector(2, "operator \(i) outputs"), "operator \(i) outputs", optional: false),
                options: try op.table(4, "operator \(i) options")))
        }
        self.operators = operators
    }

    /// The raw bytes of a tensor's constant data, or nil when it has none (an activation).
    func data(of tensor: Int) -> ArraySlice<UInt8>? {
        let buffer = tensors[tensor].buffer
        guard buffer > 0, buffer < buffers.count, !buffers[buffer].isEmpty else { return nil }
        return reader.bytes[buffers[buffer]]
    }
}
