/// Bounds-checked reading of a FlatBuffers buffer (the encoding TFLite files use).
///
/// Every offset and length read from the file is checked against the buffer before it is followed,
/// so a truncated or corrupted file gives a `ModelError`, never an out-of-bounds read.
/// Layout rules follow the FlatBuffers binary format: a root uoffset, tables that point back to a
/// vtable with a signed offset, uoffsets relative to where they are stored, length-prefixed vectors.
struct FlatBufferReader {
    let bytes: [UInt8]
    let name: String

    func error(_ problem: String) -> ModelError { ModelError(file: name, problem: problem) }

    /// Throws unless `size` bytes starting at `position` lie inside the buffer.
    func check(_ position: Int, _ size: Int, _ what: @autoclosure () -> String) throws {
        guard position >= 0, size >= 0, size <= bytes.count, position <= bytes.count - size else {
            throw error("\(what()): \(size) bytes at offset \(position) run past the end of the file (\(bytes.count) bytes)")
        }
    }

    func u8(_ position: Int, _ what: @autoclosure () -> String) throws -> UInt8 {
        try check(position, 1, what())
        return bytes[position]
    }

    func u16(_ position: Int, _ what: @autoclosure () -> String) throws -> UInt16 {
        try check(position, 2, what())
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func u32(_ position: Int, _ what: @autoclosure () -> String) throws -> UInt32 {
        try check(position, 4, what())
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    func u64(_ position: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        let low = try u32(position, what())
        let high = try u32(position + 4, what())
        return UInt64(low) | UInt64(high) << 32
    }

    /// The table the root uoffset at the start of the buffer points to.
    func root() throws -> FlatBufferTable {
        let offset = try u32(0, "root offset")
        return try table(at: Int(offset), "root table")
    }

    /// The table at `position`, with its vtable located and checked.
    func table(at position: Int, _ what: @autoclosure () -> String) throws -> FlatBufferTable {
        let soffset = Int32(bitPattern: try u32(position, "\(what()) (table header)"))
        let vtable = position - Int(soffset)
        let vtableSize = Int(try u16(vtable, "\(what()) (vtable size)"))
        let tableSize = Int(try u16(vtable + 2, "\(what()) (table size)"))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw error("\(what()): vtable size \(vtableSize) at offset \(vtable) is not an even number ≥ 4")
        }
        try check(vtable, vtableSize, "\(what()) (vtable)")
        guard tableSize >= 4 else { throw error("\(what()): table size \(tableSize) is smaller than its header") }
        try check(position, tableSize, "\(what()) (table body)")
        return FlatBufferTable(reader: self, position: position, vtable: vtable, vtableSize: vtableSize,
                               tableSize: tableSize, what: what())
    }
}

/// One table: scalar fields by vtable slot, and references to tables, vectors and strings.
struct FlatBufferTable {
    let reader: FlatBufferReader
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int
    let what: String

    /// Absolute position of field `id` if present, checked to hold `size` bytes inside the table.
    func field(_ id: Int, size: Int) throws -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try reader.u16(vtable + entry, "\(what) (vtable entry \(id))"))
        guard offset != 0 else { return nil }
        guard offset + size <= tableSize else {
            throw reader.error("\(what): field \(id) at table offset \(offset) lies outside the table (\(tableSize) bytes)")
        }
        return position + offset
    }

    func u8(_ id: Int, default value: UInt8) throws -> UInt8 {
        guard let at = try field(id, size: 1) else { return value }
        return try reader.u8(at, "\(what) field \(id)")
    }

    func bool(_ id: Int, default value: Bool) throws -> Bool { try u8(id, default: value ? 1 : 0) != 0 }

    func i32(_ id: Int, default value: Int32) throws -> Int32 {
        guard let at = try field(id, size: 4) else { return value }
        return Int32(bitPattern: try reader.u32(at, "\(what) field \(id)"))
    }

    func u32(_ id: Int, default value: UInt32) throws -> UInt32 {
        guard let at = try field(id, size: 4) else { return value }
        return try reader.u32(at, "\(what) field \(id)")
    }

    func u64(_ id: Int, default value: UInt64) throws -> UInt64 {
        guard let at = try field(id, size: 8) else { return value }
        return try reader.u64(at, "\(what) field \(id)")
    }

    /// Follows the uoffset stored in field `id`.
    private func target(_ id: Int, _ name: String) throws -> Int? {
        guard let at = try field(id, size: 4) else { return nil }
        let offset = Int(try reader.u32(at, "\(what) \(name) offset"))
        let target = at + offset
        try reader.check(target, 4, "\(what) \(name)")
        return target
    }

    func table(_ id: Int, _ name: String) throws -> FlatBufferTable? {
        guard let at = try target(id, name) else { return nil }
        return try reader.table(at: at, "\(what) \(name)")
    }

    /// The start and element count of the vector in field `id`, checked to fit in the buffer.
    func vector(_ id: Int, elementSize: Int, _ name: String) throws -> (start: Int, count: Int)? {
        guard let at = try target(id, name) else { return nil }
        let count = Int(try reader.u32(at, "\(what) \(name) length"))
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw reader.error("\(what) \(name): length \(count) overflows") }
        try reader.check(at + 4, bytes, "\(what) \(name) (\(count) elements)")
        return (at + 4, count)
    }

    func i32Vector(_ id: Int, _ name: String) throws -> [Int32]? {
        guard let (start, count) = try vector(id, elementSize: 4, name) else { return nil }
        var values = [Int32]()
        values.reserveCapacity(count)
        for i in 0..<count {
            values.append(Int32(bitPattern: try reader.u32(start + 4 * i, "\(what) \(name)[\(i)]")))
        }
        return values
    }

    func tableVector(_ id: Int, _ name: String) throws -> [FlatBufferTable]? {
        guard let (start, count) = try vector(id, elementSize: 4, name) else { return nil }
        var tables = [FlatBufferTable]()
        tables.reserveCapacity(count)
        for i in 0..<count {
            let at = start + 4 * i
            let offset = Int(try reader.u32(at, "\(what) \(name)[\(i)] offset"))
            tables.append(try reader.table(at: at + offset, "\(what) \(name)[\(i)]"))
        }
        return tables
    }

    func string(_ id: Int, _ name: String) throws -> String? {
        guard let (start, count) = try vector(id, elementSize: 1, name) else { return nil }
        return String(decoding: reader.bytes[start..<start + count], as: UTF8.self)
    }
}
