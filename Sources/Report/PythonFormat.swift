import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Python's printf-style formatting of the two conversions YOLOv5 writes `results.csv` with
/// (utils/loggers/__init__.py `on_fit_epoch_end`): `'%20s'` for the header, `'%20.5g'` for values.
enum PythonFormat {
    /// `'%<width>.<precision>g' % value` exactly as Python prints it: C's `%g` (the same correctly
    /// rounded digits; glibc and CPython agree), with `nan`/`inf`/`-inf` spelled as Python spells
    /// them (C would print `-nan` for a negative NaN), right-aligned in `width`.
    /// 0.00012345 → `          0.00012345`, 1234567 → `         1.2346e+06`.
    static func g(_ value: Double, width: Int = 20, precision: Int = 5) -> String {
        let body: String
        if value.isNaN {
            body = "nan"
        } else if value.isInfinite {
            body = value < 0 ? "-inf" : "inf"
        } else {
            var buffer = [CChar](repeating: 0, count: 64)
            let written = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(precision)g", $0) }
            precondition(written > 0 && written < buffer.count, "PythonFormat.g: vsnprintf wrote \(written) bytes")
            body = String(cString: buffer)
        }
        return s(body, width: width)
    }

    /// `'%<width>s' % text`: right-aligned, never truncated.
    static func s(_ text: String, width: Int = 20) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
