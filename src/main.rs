//! `ecert`: the command line and the HTTP services (the shell around the role crates). See
//! `ecert --help`, and `ecert::cli` for the exit codes.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    ecert::cli::main()
}
