//! The real `ecert` binary run as an operator runs it: in a child process (so that a platform in the
//! calling process keeps serving), with none of the caller's `ECERT_*` environment, standard input piped
//! (never a terminal), and what it printed and its exit code kept for assertions.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// What one run of the binary did.
#[derive(Clone, Debug)]
pub struct Run {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics unless the run succeeded (a test assertion).
    #[allow(clippy::panic, reason = "a test assertion, for the tests that use the runner")]
    pub fn ok(self) -> Run {
        if self.code != 0 {
            panic!(
                "ecert exited {}\nstdout: {}\nstderr: {}",
                self.code, self.stdout, self.stderr
            );
        }
        self
    }

    /// Panics unless the run succeeded; its standard output (a test assertion).
    pub fn succeeded(&self) -> &str {
        if self.code != 0 {
            #[allow(clippy::panic, reason = "a test assertion, for the tests that use the runner")]
            {
                panic!(
                    "ecert exited {}\nstdout: {}\nstderr: {}",
                    self.code, self.stdout, self.stderr
                );
            }
        }
        &self.stdout
    }

    /// Panics unless the run exited with `code` and its standard error mentions every one of `needles`.
    #[allow(clippy::panic, reason = "a test assertion, for the tests that use the runner")]
    pub fn fails(self, code: i32, needles: &[&str]) -> Run {
        if self.code != code {
            panic!(
                "ecert exited {}, not {code}\nstdout: {}\nstderr: {}",
                self.code, self.stdout, self.stderr
            );
        }
        for needle in needles {
            if !self.stderr.contains(needle) {
                panic!("stderr lacks {needle:?}: {}", self.stderr);
            }
        }
        self
    }

    /// Standard output as JSON (for `--json`); panics if it is not.
    #[allow(clippy::panic, reason = "a test assertion, for the tests that use the runner")]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// How to run the binary.
#[derive(Clone, Debug)]
pub struct Cli {
    binary: PathBuf,
    env: Vec<(String, String)>,
    stdin: String,
}

impl Cli {
    /// Runs `binary` (an integration test passes `env!("CARGO_BIN_EXE_ecert")`).
    pub fn new(binary: impl AsRef<Path>) -> Cli {
        Cli {
            binary: binary.as_ref().to_path_buf(),
            env: Vec::new(),
            stdin: String::new(),
        }
    }

    /// The same, with `name=value` in the environment.
    pub fn env(mut self, name: &str, value: &str) -> Cli {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same, with `text` on standard input.
    pub fn stdin(mut self, text: &str) -> Cli {
        self.stdin = text.to_owned();
        self
    }

    /// Runs `ecert args...`.
    #[allow(
        clippy::panic,
        reason = "a test fixture: a binary that does not start fails the test"
    )]
    pub async fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(args.iter().map(AsRef::as_ref))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars() {
            if name.starts_with("ECERT_") {
                command.env_remove(name);
            }
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        if let Some(mut stdin) = child.stdin.take() {
            // A binary that exits without reading its input closes the pipe: not a failure here.
            let _ = stdin.write_all(self.stdin.as_bytes()).await;
        }
        let output = child
            .wait_with_output()
            .await
            .unwrap_or_else(|e| panic!("waiting for {}: {e}", self.binary.display()));
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
