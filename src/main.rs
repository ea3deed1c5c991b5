fn main() -> std::process::ExitCode {
    git_upgrades::cli::main()
}
