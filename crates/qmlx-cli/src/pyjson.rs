//! JSON text as Python's `json.dump(obj, f, indent=4)` writes it (mlx_lm writes config.json and
//! the index this way): `", "`-free pretty layout, `ensure_ascii` escapes and `repr(float)` numbers
//! (`1e-05`, `10000.0`), so our config.json is byte-identical to mlx_lm's.

use serde_json::Value;

/// Serializes `v` like `json.dumps(v, indent=4)`.
pub fn dumps(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v, 0);
    s
}

fn indent(s: &mut String, level: usize) {
    s.push('\n');
    for _ in 0..level {
        s.push_str("    ");
    }
}

fn write_value(s: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => s.push_str("null"),
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                s.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                s.push_str(&u.to_string());
            } else {
                s.push_str(&py_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(t) => write_str(s, t),
        Value::Array(a) => {
            if a.is_empty() {
                s.push_str("[]");
                return;
            }
            s.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                indent(s, level + 1);
                write_value(s, x, level + 1);
            }
            indent(s, level);
            s.push(']');
        }
        Value::Object(m) => {
            if m.is_empty() {
                s.push_str("{}");
                return;
            }
            s.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                indent(s, level + 1);
                write_str(s, k);
                s.push_str(": ");
                write_value(s, x, level + 1);
            }
            indent(s, level);
            s.push('}');
        }
    }
}

/// A JSON string with Python's `ensure_ascii=True` escaping.
fn write_str(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{08}' => s.push_str("\\b"),
            '\u{0c}' => s.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    s.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

/// Python's `repr(float)`: the shortest round-trip digits, scientific notation when the decimal
/// exponent is < -4 or >= 16, a trailing `.0` for integral values.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // `{:e}` gives the shortest round-trip digits as d.ddde±x.
    let sci = format!("{:e}", x.abs());
    let (mant, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let m = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        return format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let n = digits.len() as i32;
    let body = if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let p = (exp + 1) as usize;
        format!("{}.{}", &digits[..p], &digits[p..])
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_match_python_repr() {
        for (x, want) in [
            (1e-5, "1e-05"),
            (1e-6, "1e-06"),
            (10000.0, "10000.0"),
            (0.02, "0.02"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.0, "123456789012345.0"),
            (-2.5, "-2.5"),
            (500000.0, "500000.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (0.0, "0.0"),
        ] {
            assert_eq!(py_float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn layout_matches_python_indent4() {
        let v: Value = serde_json::from_str(r#"{"a": [1, 2], "b": {}, "c": [], "d": {"x": "é\n"}, "e": 1e-05, "f": true, "g": null}"#).unwrap();
        let want = "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {},\n    \"c\": [],\n    \"d\": {\n        \"x\": \"\\u00e9\\n\"\n    },\n    \"e\": 1e-05,\n    \"f\": true,\n    \"g\": null\n}";
        assert_eq!(dumps(&v), want);
    }
}
