package org.glusterj.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class QuickCompilesTest {
    private static final String C2_EXCLUDED = "Exclude:true";

    @Test
    void byDefaultTheJvmKeepsItsOptimizingCompiler() throws JMException {
        for (String setting : new String[] {null, "", "full", "FULL", "c2-please"}) {
            QuickCompiles.apply(setting);
            assertFalse(directives().contains(C2_EXCLUDED),
                    "GLUSTERJ_JIT=" + setting + " must leave C2 on; directives now:\n" + directives());
        }
    }

    @Test
    void c1AsksForTheQuickCompilerOnly() throws JMException {
        assertFalse(directives().contains(C2_EXCLUDED), "a directive excluding C2 was there before the test");
        QuickCompiles.apply(" C1 ");
        try {
            assertTrue(directives().contains(C2_EXCLUDED), "GLUSTERJ_JIT=c1 must exclude C2; directives:\n"
                    + directives());
        } finally {
            diagnosticCommand("compilerDirectivesRemove");   // the rest of this test JVM keeps C2
        }
    }

    @Test
    void onlyC1IsUnderstoodAsARequest() {
        assertTrue(QuickCompiles.wanted("c1"));
        assertFalse(QuickCompiles.wanted(null));
        assertFalse(QuickCompiles.wanted("full"));
        assertFalse(QuickCompiles.wanted("quick"));
    }

    private static String directives() throws JMException {
        return diagnosticCommand("compilerDirectivesPrint");
    }

    private static String diagnosticCommand(String name) throws JMException {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), name,
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }
}
