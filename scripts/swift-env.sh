# Sourced by the scripts that build: makes the machine's local package mirror usable for a non-root user.
# On this kind of machine git reads github.com from /opt/swift-packages (owned by root), and git refuses
# repositories owned by another user unless they are listed in safe.directory in the global config. So a
# non-root build gets a global git config of its own (under .local/, including the user's real one) that
# lists exactly those repositories. Nothing changes for root or where the mirror does not exist.
if [ "$(id -u)" -ne 0 ] && [ -d /opt/swift-packages ] && [ ! -O /opt/swift-packages ]; then
  mkdir -p .local
  huddle_gitconfig="$PWD/.local/gitconfig"
  {
    printf '[include]\n\tpath = %s\n[safe]\n' "${GIT_CONFIG_GLOBAL:-$HOME/.gitconfig}"
    find /opt/swift-packages -mindepth 2 -maxdepth 2 -name '*.git' -printf '\tdirectory = %p\n'
  } >"$huddle_gitconfig"
  export GIT_CONFIG_GLOBAL="$huddle_gitconfig"
fi
