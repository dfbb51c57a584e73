package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.config.LimitsConfig;
import io.keepsake.content.Draft;
import io.keepsake.content.InvalidDraft;

/**
 * A write's body read with its content canonicalised from the token stream gets the draft, or the
 * problem (status, detail and every extension member), that the same body gets when parsed into a
 * tree first: every limit and fault, and which of two is reported when a body has both.
 */
class JsonBodiesTest {

    private static final int MAX_DEPTH = 6;
    private static final long MAX_TOKENS = 60;
    private static final LimitsConfig LIMITS = limits(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonBodies bodies = new JsonBodies(MAX_DEPTH, MAX_TOKENS);

    static List<String> bodies() {
        return List.of(
        // drafts
        "{'title':' A title ','description':'d','content':{'b':[1,-0,1e21,1E-7,12345678901234567890],'a':'é😀'}}",
        "{'content':null,'title':'t'}", "{'title':'t','content':'a string, measured as text \\u00e9'}",
        "{'title':'t','description':null,'content':[]}", "{'title':'t','content':{}}",
        "{'title':'t','content':'" + "\\u0041\\n" + "'}", " \n{'title':'t','content':0.1} \n",
        // not one JSON object
        "", "   ", "[]", "'x'", "null", "1", "[1] [2]", "[1] x", "{} x", "{}{}", "{'title':'t','content':1} 2",
        "{'title':'t','content':{'a':1}}}",
        // malformed
        "{", "{'title':", "{'title':'t','content':{'a':1,}}", "{'title':'t','content':[1 2]}",
        "{'title':'t' 'content':1}", "{'title':'t','content':tru}", "{'title':'t','content':[1,2}",
        "{'title':'t','content':{'\\udc00':1}}", "{'title':'t','content':'\\x'}", "{'title':'t','content':01}",
        "{'title':'t','content':NaN}", "{'title':'t','content':{'a':1e400,'b':",
        // duplicate member names
        "{'title':'t','title':'u','content':1}", "{'title':'t','content':1,'content':2}",
        "{'title':'t','content':{'a':1,'b':{'x':1,'x':2}}}",
        // nesting depth and token count
        "{'title':'t','content':[[[[1]]]]}", "{'title':'t','content':[[[[[1]]]]]}",
        "{'title':'t','content':[[[[[[1]]]]]]}", "{'title':[[[[[[1]]]]]],'content':1}",
        "{'title':'t','content':[" + "0,".repeat(54) + "0]}",
        "{'title':'t','content':[" + "0,".repeat(52) + "0]}",
        "{'title':'t','content':[1e400," + "0,".repeat(56) + "0]}",
        // the envelope's own rules
        "{'title':'t','content':1,'extra':2,'another':[1]}", "{'title':'t'}", "{}", "{'content':1}",
        "{'title':null,'content':1}", "{'title':1,'content':1}", "{'title':'   ','content':1}",
        "{'title':'" + "x".repeat(51) + "','content':1}", "{'title':'t','description':2,'content':1}",
        "{'title':'t','description':'" + "x".repeat(251) + "','content':1}", "{'title':'\\ud800','content':1}",
        "{'title':'t','description':'a\\udc00','content':1}",
        // content without a canonical form, and content over the size limit
        "{'title':'t','content':'a\\ud800'}", "{'title':'t','content':{'b':'\\ud800','a':[2e400]}}",
        "{'title':'t','content':-1e309}", "{'title':'t','content':'" + "x".repeat(101) + "'}",
        "{'title':'t','content':'" + "\\u0041".repeat(100) + "'}", "{'title':'t','content':'" + "é".repeat(51) + "'}",
        "{'title':'t','content':['" + "x".repeat(97) + "']}", "{'title':'t','content':['" + "x".repeat(96) + "']}",
        "{'title':'t','content':[ 1,  2,   3,    4,     5,      6,       7,        8,         9,          10]}",
        "{'title':'t','content':'" + "x".repeat(150) + "\\ud800'}",
        // two faults: the one a tree parse meets first
        "{'title':1,'content':{'a':'\\ud800'}}", "{'extra':1,'content':{'a':1,'a':2}}", "{'content':1e400} x",
        "{'content':{'a':1e400,'b':[[[[[[1]]]]]]}}", "{'title':'" + "x".repeat(60) + "','content':'" + "x".repeat(200) + "'}",
        "{'content':'\\ud800','title':'" + "x".repeat(60) + "'}", "{'content':[1e400,'" + "x".repeat(200) + "'],'title':'t'}");
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void aWriteBodyGetsTheSameDraftOrProblemWhetherItsContentIsStreamedOrBuiltAsATree(String body) throws Exception {
        byte[] bytes = body.replace('\'', '"').getBytes(StandardCharsets.UTF_8);

        String fromTree = outcome(bytes, b -> Draft.from(bodies.object(b), b.length, LIMITS));
        String streamed = outcome(bytes, b -> {
            JsonBodies.Envelope envelope = bodies.envelope(b);
            return Draft.from(envelope.fields(), envelope.content(), b.length, LIMITS);
        });

        assertEquals(fromTree, streamed);
    }

    @Test
    void theTokenLimitIsAProblemNamingTheLimit() throws Exception {
        String streamed = outcome(("{\"content\":[" + "0,".repeat(100) + "0]}").getBytes(StandardCharsets.UTF_8), b -> {
            JsonBodies.Envelope envelope = bodies.envelope(b);
            return Draft.from(envelope.fields(), envelope.content(), b.length, LIMITS);
        });
        assertTrue(streamed.contains("\"status\":413") && streamed.contains("\"maxTokens\":60"), streamed);
    }

    @Test
    void theMembersSentAreNamedContentIncluded() {
        JsonBodies.Envelope envelope = bodies.envelope("{\"sessionId\":\"x\",\"content\":{\"a\":1},\"title\":\"t\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(Set.of("content", "sessionId", "title"), envelope.names());
        assertEquals("{\"sessionId\":\"x\",\"title\":\"t\"}", envelope.fields().toString());
        assertEquals("{\"a\":1}", envelope.content().canonical().text());
        assertEquals(List.of("title"), List.copyOf(bodies.envelope("{\"title\":\"t\"}".getBytes(StandardCharsets.UTF_8)).names()));
    }

    private static String outcome(byte[] body, Function<byte[], Draft> read) throws Exception {
        try {
            Draft draft = read.apply(body);
            return String.join(" | ", draft.title(), draft.description(), draft.content().text(), draft.content().sha256(),
                    draft.metadataHash(), String.valueOf(draft.textHash()));
        } catch (ApiProblem problem) {
            return JSON.writeValueAsString(problem.toProblem(null));
        } catch (InvalidDraft invalid) {
            return JSON.writeValueAsString(ProblemMapper.problemOf(invalid).toProblem(null));
        }
    }

    private static LimitsConfig limits(int maxContentBytes) {
        return new LimitsConfig() {
            @Override
            public int maxContentBytes() {
                return maxContentBytes;
            }

            @Override
            public int maxTitleLength() {
                return 50;
            }

            @Override
            public int maxDescriptionLength() {
                return 250;
            }

            @Override
            public int maxJsonDepth() {
                return MAX_DEPTH;
            }

            @Override
            public long maxJsonTokens() {
                return MAX_TOKENS;
            }

            @Override
            public int largeBodyBytes() {
                return 65536;
            }

            @Override
            public int largeParses() {
                return 2;
            }

            @Override
            public Duration largeParseWait() {
                return Duration.ofSeconds(3);
            }
        };
    }
}
