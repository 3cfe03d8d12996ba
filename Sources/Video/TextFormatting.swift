/// Small text helpers for messages and descriptions, kept free of Foundation.

extension String {
    /// Up to three decimals without trailing zeros, and without Foundation's formatter.
    init(format3 value: Double) {
        let scaled = (value * 1000).rounded()
        guard scaled.isFinite, abs(scaled) < 1e15 else { self = String(value); return }
        let thousandths = Int(scaled)
        let whole = thousandths / 1000, fraction = abs(thousandths % 1000)
        var text = (thousandths < 0 && whole == 0 ? "-" : "") + String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        self = text
    }
}

/// Seconds as a person writes them: "1", "2.5".
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
