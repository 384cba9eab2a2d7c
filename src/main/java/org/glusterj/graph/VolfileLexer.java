package org.glusterj.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a volfile into words, as GlusterFS's graph.l does: a word is a run of characters other
 * than space, tab, CR, LF, {@code "} and {@code \}, or a {@code "..."} string in which
 * {@code \x} stands for x (no other escapes, no line breaks). A {@code #} that starts a word
 * comments out the rest of the line. Backticks are ordinary characters: GlusterFS runs
 * {@code `command`} spans through a shell, which we deliberately do not.
 */
final class VolfileLexer {
    /** A word, whether it was quoted (a quoted word is never a keyword) and its 1-based line. */
    record Token(String text, boolean quoted, int line) {
        boolean isKeyword(String keyword) {
            return !quoted && text.equals(keyword);
        }

        /** How to show it in a message: quoted words keep their quotes. */
        String shown() {
            return "\"" + text + "\"";
        }
    }

    private final String text;
    private final String source;
    private int pos;
    private int line = 1;

    private VolfileLexer(String text, String source) {
        this.text = text;
        this.source = source;
    }

    static Result tokenize(String text, String source) throws VolfileException {
        VolfileLexer lexer = new VolfileLexer(text, source);
        List<Token> tokens = lexer.run();
        // As editors count: a final line break does not start another line.
        int lastLine = text.endsWith("\n") && lexer.line > 1 ? lexer.line - 1 : lexer.line;
        return new Result(tokens, lastLine);
    }

    /** The tokens, and the number of the last line (for errors found at end of file). */
    record Result(List<Token> tokens, int lastLine) {
    }

    private List<Token> run() throws VolfileException {
        List<Token> tokens = new ArrayList<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (isBlank(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') pos++;
            } else if (c == '"') {
                tokens.add(quoted());
            } else if (c == '\\') {
                throw new VolfileException(source, line, null,
                        "backslash outside quotes; write the value as \"...\" and escape it there as \\\\");
            } else {
                int start = pos;
                while (pos < text.length() && isWordChar(text.charAt(pos))) pos++;
                tokens.add(new Token(text.substring(start, pos), false, line));
            }
        }
        return tokens;
    }

    private Token quoted() throws VolfileException {
        int startLine = line;
        StringBuilder sb = new StringBuilder();
        pos++; // opening quote
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') throw unterminated(startLine);
            char c = text.charAt(pos++);
            if (c == '"') return new Token(sb.toString(), true, startLine);
            if (c == '\\') {
                if (pos >= text.length() || text.charAt(pos) == '\n') throw unterminated(startLine);
                c = text.charAt(pos++);
            }
            sb.append(c);
        }
    }

    private VolfileException unterminated(int startLine) {
        return new VolfileException(source, startLine, null,
                "unterminated quoted string; close it with \" on the same line");
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static boolean isWordChar(char c) {
        return !isBlank(c) && c != '\n' && c != '"' && c != '\\';
    }
}
