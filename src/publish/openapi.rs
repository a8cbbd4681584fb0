pub fn document(base: &str) -> serde_json::Value {
    serde_json::json!({"openapi": "3.1.0", "servers": [{"url": base}]})
}
