import ExpenseMail
import Testing

@Suite struct CurlLinkTests {
    @Test func libcurlIsLinkedAndSpeaksSMTP() {
        #expect(Curl.initialized)
        #expect(Curl.versionDescription.hasPrefix("libcurl/"))
        #expect(Curl.supportsSMTP)
    }
}
