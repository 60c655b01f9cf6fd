//! Command-line arguments of the benchmark binaries (bench/tokio, and
//! bench/hyper through `#[path]`): `--name V`, `-name V` or `--name=V`.

/// The value following `--name`/`-name` or given as `--name=X`.
pub fn arg_value(args: &[String], name: &str) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let bare = a.trim_start_matches('-');
        if bare.len() == a.len() {
            continue;
        }
        if bare == name {
            return it.next().cloned();
        }
        if let Some(v) = bare.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_string());
        }
    }
    None
}
