package org.glusterj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VolfileParserTest {
    static Path resource(String name) {
        return Path.of("src/test/resources/volfiles", name);
    }

    @Test
    void parsesCommentsQuotesEscapesAndMultipleSubvolumes() throws Exception {
        Volfile vf = VolfileParser.parse("""
                # a comment line
                volume a   # trailing comment
                    type test/leaf
                    option note "two words # not a comment"
                    option quote "say \\"hi\\" \\\\ \\n"
                    option "type" "volume"
                    option hash a#b
                    option shell `id`
                end-volume
                volume b
                    type test/leaf
                end-volume

                volume top
                    type test/pass
                    subvolumes a b
                    option after-subvolumes yes
                end-volume
                """, "good.vol");

        assertEquals(List.of("a", "b", "top"), vf.volumes().stream().map(VolumeSpec::name).toList());
        assertEquals("top", vf.top().name());
        VolumeSpec a = vf.find("a").orElseThrow();
        assertEquals(2, a.line());
        assertEquals(3, a.typeLine());
        assertEquals("test/leaf", a.type());
        assertEquals(Map.of("note", "two words # not a comment", "quote", "say \"hi\" \\ n", "type", "volume",
                "hash", "a#b", "shell", "`id`"), Map.copyOf(filter(a.rawOptions(), "note", "quote", "type", "hash",
                "shell")));
        assertEquals(5, a.options().get("quote").line());
        VolumeSpec top = vf.top();
        assertEquals(List.of("a", "b"), top.subvolumes());
        assertEquals(16, top.subvolumesLine());
        assertEquals("yes", top.rawOptions().get("after-subvolumes"));
        assertEquals(17, top.options().get("after-subvolumes").line());
    }

    @Test
    void backticksAreOrdinaryCharactersNotCommands() throws Exception {
        VolumeSpec v = VolfileParser.parse("volume v\n type t/t\n option cmd `touch`\nend-volume\n", "x.vol").top();
        assertEquals("`touch`", v.rawOptions().get("cmd"));
    }

    @Test
    void repeatedOptionKeepsTheLaterValueAndItsLine() throws Exception {
        VolumeSpec v = VolfileParser.parse("""
                volume v
                  type t/t
                  option k first
                  option k second
                end-volume""", "x.vol").top();
        assertEquals("second", v.rawOptions().get("k"));
        assertEquals(4, v.options().get("k").line());
    }

    @Test
    void acceptsCrLfLineEndsAndTheSubvolumeSSpelling() throws Exception {
        Volfile vf = VolfileParser.parse("volume a\r\n type t/t\r\nend-volume\r\nvolume b\r\n type t/t\r\n"
                + " subvolumeS a\r\nend-volume\r\n", "x.vol");
        assertEquals(List.of("a"), vf.top().subvolumes());
        assertEquals(6, vf.top().subvolumesLine());
    }

    @Test
    void realGlusterClientVolfileParses() throws Exception {
        Volfile vf = VolfileParser.parse(resource("gv0.tcp-fuse.vol"));
        assertEquals(10, vf.volumes().size());
        assertEquals("gv0", vf.top().name());
        assertEquals("debug/io-stats", vf.top().type());
        VolumeSpec dht = vf.find("gv0-dht").orElseThrow();
        assertEquals("cluster/distribute", dht.type());
        assertEquals(List.of("gv0-client-0", "gv0-client-1"), dht.subvolumes());
        VolumeSpec c1 = vf.find("gv0-client-1").orElseThrow();
        assertEquals("/bricks/b2", c1.rawOptions().get("remote-subvolume"));
        assertEquals("42", c1.rawOptions().get("ping-timeout"));
        assertEquals(30, c1.options().get("ping-timeout").line());
    }

    @Test
    void realGlusterBrickVolfileParses() throws Exception {
        Volfile vf = VolfileParser.parse(resource("gv0.server1.bricks-b1.vol"));
        assertEquals(18, vf.volumes().size());
        assertEquals("gv0-server", vf.top().name());
        assertEquals(List.of("/bricks/b1"), vf.top().subvolumes());
        assertEquals("*", vf.top().rawOptions().get("auth.addr./bricks/b1.allow"));
        assertEquals("debug/io-stats", vf.find("/bricks/b1").orElseThrow().type());
        assertEquals("/bricks/b1", vf.find("gv0-posix").orElseThrow().rawOptions().get("directory"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown keyword        | volume a\\n type t/t\\n opton k v\\nend-volume     | x.vol:3: volume "a": unknown keyword "opton"; expected option, subvolumes or end-volume
            keyword outside volume | # c\\nvolumes a\\n                              | x.vol:2: unknown keyword "volumes"; expected "volume NAME"
            type missing           | \\nvolume a\\nend-volume                       | x.vol:2: volume "a": no "type" given; every volume needs "type CATEGORY/NAME"
            type twice             | volume a\\n type t/t\\n\\n type t/u\\nend-volume | x.vol:4: volume "a": "type" given twice (first at line 2)
            option before type     | volume a\\n option k v\\n type t/t\\nend-volume | x.vol:2: volume "a": "option" before "type"; "type CATEGORY/NAME" must come first
            option without value   | volume a\\n type t/t\\n option k\\nend-volume    | x.vol:3: volume "a": option "k" has no value; write "option KEY VALUE" (quote a value that is a keyword or contains spaces)
            option value a keyword | volume a\\n type t/t\\n option k type\\nend-volume | x.vol:3: volume "a": option "k" has no value; write "option KEY VALUE" (quote a value that is a keyword or contains spaces)
            unterminated quote     | volume a\\n type t/t\\n option k "abc\\nend-volume | x.vol:3: unterminated quoted string; close it with " on the same line
            stray backslash        | volume a\\n type t/t\\n option k a\\\\b\\nend-volume | x.vol:3: backslash outside quotes; write the value as "..." and escape it there as \\\\
            missing end-volume EOF | volume a\\n type t/t\\nend-volume\\nvolume b\\n type t/t\\n option k v\\n | x.vol:4: volume "b": no end-volume before end of file; close the volume with "end-volume"
            missing end-volume     | volume a\\n type t/t\\nvolume b\\n type t/t\\nend-volume | x.vol:3: volume "a": "end-volume" missing before the next "volume"
            duplicate volume       | volume a\\n type t/t\\nend-volume\\nvolume a\\n type t/t\\nend-volume | x.vol:4: volume "a": already defined at line 1; volume names must be unique
            subvolume not defined  | volume a\\n type t/t\\nend-volume\\nvolume b\\n type t/t\\n subvolumes a c\\nend-volume | x.vol:6: volume "b": subvolume "c" is not defined; defined so far: a
            subvolume defined later| volume b\\n type t/t\\n subvolumes a\\nend-volume\\nvolume a\\n type t/t\\nend-volume | x.vol:3: volume "b": subvolume "a" is defined later (line 5); define a volume before the volumes that use it
            subvolume is self      | volume a\\n type t/t\\n subvolumes a\\nend-volume | x.vol:3: volume "a": cannot be its own subvolume
            subvolumes twice       | volume a\\n type t/t\\nend-volume\\nvolume b\\n type t/t\\n subvolumes a\\n subvolumes a\\nend-volume | x.vol:7: volume "b": "subvolumes" given twice (first at line 6); list all subvolumes on one line
            subvolume listed twice | volume a\\n type t/t\\nend-volume\\nvolume b\\n type t/t\\n subvolumes a a\\nend-volume | x.vol:6: volume "b": subvolume "a" listed twice
            empty subvolumes       | volume a\\n type t/t\\n subvolumes\\nend-volume | x.vol:3: volume "a": "subvolumes" without names; write "subvolumes NAME ..."
            volume without name    | volume\\n type t/t\\nend-volume                 | x.vol:1: "volume" without a name; write "volume NAME" (quote a name that is a keyword)
            end-volume outside     | volume a\\n type t/t\\nend-volume\\nend-volume  | x.vol:4: "end-volume" outside a volume; expected "volume NAME"
            empty file             | ''                                              | x.vol:1: no volumes defined; a volfile needs at least one "volume NAME" ... "end-volume" block
            only comments          | # one\\n# two\\n\\n                             | x.vol:3: no volumes defined; a volfile needs at least one "volume NAME" ... "end-volume" block
            """)
    void brokenVolfileNamesTheLine(String caseName, String text, String expected) {
        String volfile = text.replace("\\n", "\n").replace("\\\\", "\\");
        VolfileException e = assertThrows(VolfileException.class, () -> VolfileParser.parse(volfile, "x.vol"));
        assertEquals(expected, e.getMessage(), caseName);
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        VolfileException e = assertThrows(VolfileException.class, () -> VolfileParser.parse(dir.resolve("no.vol")));
        assertEquals(dir.resolve("no.vol") + ": no such file; check the volfile path", e.getMessage());
    }

    @Test
    void binaryFileIsRejected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bin.vol");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        VolfileException e = assertThrows(VolfileException.class, () -> VolfileParser.parse(f));
        assertTrue(e.getMessage().endsWith("not UTF-8 text; is this really a volfile?"), e.getMessage());
    }

    private static Map<String, String> filter(Map<String, String> m, String... keys) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String k : keys) out.put(k, m.get(k));
        return out;
    }
}
