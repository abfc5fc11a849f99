/**
 * Shell steps for apt layers of environment images (strings only: the builders in deps and harness run them).
 */

/**
 * Run at the end of every apt layer: package indexes and caches, and what no test reads (documentation, man
 * pages, message translations). Removing them in the same RUN keeps them out of the layer.
 */
export const APT_CLEANUP =
  'rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*';

/** The perl that Debian's git pulls in (perl-base, which dpkg itself needs, stays). */
const PERL_PACKAGES = "perl 'perl-modules-*' 'libperl5*' liberror-perl";
/**
 * Packages whose perl serves only commands no test runs: git's send-email, svn and cvs bridges, and mailcap's
 * run-mailcap (python3-pil pulls mailcap in through mime-support).
 */
const PERL_FOR_EXTRAS = 'git|mailcap';
/** The names of PERL_PACKAGES as an extended regular expression. */
const PERL_NAMES = '(perl|perl-modules-[.0-9]+|libperl5[.0-9]+|liberror-perl)';
/** Drops perl and liberror-perl from those packages' Depends in dpkg's status, so apt sees a consistent system. */
const PERL_DEP = '(perl|liberror-perl)(:any)?( \\([^)]*\\))?';
const UNDEPEND = `s/^Depends: ${PERL_DEP}(, |$)/Depends: /; s/, ${PERL_DEP}(,|$)/\\4/g; s/, ${PERL_DEP}(,|$)/\\4/g`;

/**
 * Removes the ~47 MB of perl that Debian's git depends on when nothing else installed needs it. The harness
 * runs git's C builtins only (apply, checkout, diff, status, clean, config). The Depends lines of git and
 * mailcap in dpkg's status lose perl, and `apt-get check` must then pass, so a later apt layer whose packages
 * need perl installs it as usual (and runs this again). When another package needs perl, it stays (said in the
 * build log). Run while apt's lists are still there, before APT_CLEANUP.
 */
export const DROP_UNUSED_PERL = [
  `drop=$(dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\\n' ${PERL_PACKAGES} 2>/dev/null | awk '$1=="ii"{print $2}')`,
  // Of what removing them would take along, only the packages that depend on perl themselves count (python3-pil
  // goes only through mailcap, which stays).
  `others=$(for p in $(apt-get -s remove $drop 2>/dev/null | awk '/^Remv /{print $2}'); do dpkg-query -W -f='\${Package} \${Depends} \${Pre-Depends}\\n' "$p"; done | grep -E '[ ,]${PERL_NAMES}(:any)?( |,|$)' | awk '{print $1}' | grep -vxE '${PERL_FOR_EXTRAS}|${PERL_NAMES}' | tr '\\n' ' ')`,
  `if [ -z "$drop" ]; then :; elif [ -z "$others" ]; then dpkg --purge --force-depends $drop > /dev/null 2>&1 && sed -i -E '/^Package: (${PERL_FOR_EXTRAS})$/,/^$/{/^Depends:/{${UNDEPEND}}}' /var/lib/dpkg/status && apt-get check -qq && echo "dropped perl:" $drop; else echo "perl kept (needed by: $others)"; fi`,
].join(' && ');
