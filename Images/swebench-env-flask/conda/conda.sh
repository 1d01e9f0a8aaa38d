# Forager's stand-in for miniconda's etc/profile.d/conda.sh (this image has no conda).
# It defines the `conda` shell function SWE-bench's images are used through: `conda activate ENV`
# puts /opt/miniconda3/envs/ENV (a Python venv here, a conda environment there) first on PATH and
# sets CONDA_DEFAULT_ENV / CONDA_PREFIX as conda does; `conda activate` alone or `conda activate
# base` is /opt/miniconda3; `conda deactivate` goes back one level. Every other subcommand fails,
# saying so. Safe under `set -u`.
__forager_conda_root=/opt/miniconda3

__forager_conda_path_without() {
    # PATH without the entry $1 (few lines under `set -x`, as the eval scripts trace).
    local path=":${PATH:-}:"
    path="${path//:$1:/:}"
    path="${path#:}"
    printf '%s' "${path%:}"
}

__forager_conda_activate() {
    local name="${1:-base}" prefix
    if [ "$name" = base ]; then prefix="$__forager_conda_root"; else prefix="$__forager_conda_root/envs/$name"; fi
    case "$name" in /*) prefix="$name" ;; esac
    if [ ! -d "$prefix/bin" ]; then
        echo "EnvironmentNameNotFound: Could not find conda environment: $name" >&2
        return 1
    fi
    if [ -n "${CONDA_PREFIX:-}" ] && [ "${CONDA_PREFIX}" != "$__forager_conda_root" ]; then
        PATH="$(__forager_conda_path_without "$CONDA_PREFIX/bin")"
    fi
    local level="${CONDA_SHLVL:-0}"
    if [ -n "${CONDA_PREFIX:-}" ]; then export "CONDA_PREFIX_${level}=${CONDA_PREFIX}"; fi
    PATH="$prefix/bin:$(__forager_conda_path_without "$prefix/bin")"
    export PATH
    export CONDA_SHLVL=$((level + 1)) CONDA_PREFIX="$prefix" CONDA_DEFAULT_ENV="$name" CONDA_PROMPT_MODIFIER="($name) "
    export CONDA_EXE="$__forager_conda_root/bin/conda"
    if [ "$prefix" = "$__forager_conda_root" ]; then unset VIRTUAL_ENV; else export VIRTUAL_ENV="$prefix"; fi
    hash -r
}

__forager_conda_deactivate() {
    local level="${CONDA_SHLVL:-0}"
    [ "$level" -gt 0 ] || return 0
    if [ -n "${CONDA_PREFIX:-}" ] && [ "${CONDA_PREFIX}" != "$__forager_conda_root" ]; then
        PATH="$(__forager_conda_path_without "$CONDA_PREFIX/bin")"
        export PATH
    fi
    local previous_var="CONDA_PREFIX_$((level - 1))"
    local previous="${!previous_var:-}"
    unset "$previous_var" VIRTUAL_ENV
    if [ -n "$previous" ]; then
        export CONDA_PREFIX="$previous" CONDA_SHLVL=$((level - 1))
        if [ "$previous" = "$__forager_conda_root" ]; then export CONDA_DEFAULT_ENV=base; else
            export CONDA_DEFAULT_ENV="${previous##*/}" VIRTUAL_ENV="$previous"; PATH="$previous/bin:$PATH"; fi
        export CONDA_PROMPT_MODIFIER="($CONDA_DEFAULT_ENV) "
    else
        unset CONDA_PREFIX CONDA_DEFAULT_ENV CONDA_PROMPT_MODIFIER
        export CONDA_SHLVL=0
    fi
    hash -r
}

conda() {
    local command="${1:-}"
    [ $# -gt 0 ] && shift
    case "$command" in
        activate) __forager_conda_activate "$@" ;;
        deactivate) __forager_conda_deactivate ;;
        env)
            if [ "${1:-}" = list ]; then "$__forager_conda_root/bin/conda" info --envs; else "$__forager_conda_root/bin/conda" env "$@"; fi ;;
        *) "$__forager_conda_root/bin/conda" "$command" "$@" ;;
    esac
}
